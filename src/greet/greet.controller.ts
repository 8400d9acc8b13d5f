import { Controller, Get, Header, Headers, HttpCode, HttpStatus, Post, Query, Res } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiInternalServerErrorResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { JsonBody } from '../common/json-body.decorator.js';
import { Cors } from 'nestjs-route-cors';
import { GreetRequestDto } from './greet-request.dto.js';
import { ErrorResponse, GreetingResponse, LanguageListResponse, REQUEST_ID_HEADER } from '../docs/api-responses.js';
import { languageCookie, rememberedLanguage } from './language-cookie.js';
import { type Greeting, type LanguageList, GreetService } from './greet.service.js';

const VALIDATION_ERRORS =
  "Missing request body; Missing required field: 'name'; Field 'name' cannot be empty; Field 'name' must be a string; " +
  "Field 'lang' must be a string; Invalid or unsupported language selection: `'<lang>'`; Request body must be a JSON object; " +
  'Malformed JSON in request body';

/** The article's API: only the configured front ends may read greetings. */
@ApiTags('greet')
@Cors('frontend')
@Controller('greet')
export class GreetController {
  constructor(
    private readonly greetService: GreetService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Greet someone in a language' })
  @ApiBody({ type: GreetRequestDto })
  @ApiOkResponse({
    type: GreetingResponse,
    headers: {
      ...REQUEST_ID_HEADER,
      // Swagger UI renders descriptions as Markdown: a code span keeps `<lang>` from being read as HTML.
      'Set-Cookie': {
        description: '`greet_lang=<lang>; HttpOnly; SameSite=Lax`, when the request has lang',
        schema: { type: 'string' },
      },
    },
  })
  @ApiBadRequestResponse({ type: ErrorResponse, description: VALIDATION_ERRORS })
  @ApiPayloadTooLargeResponse({
    type: ErrorResponse,
    description: 'Payload too large (body over 1 MB)',
    example: { error: 'Payload too large' },
  })
  @ApiUnsupportedMediaTypeResponse({
    type: ErrorResponse,
    description: 'Request body must be JSON (Content-Type: application/json)',
    example: { error: 'Request body must be JSON (Content-Type: application/json)' },
  })
  @ApiInternalServerErrorResponse({
    type: ErrorResponse,
    description: 'Internal server error (details only in the log)',
    example: { error: 'Internal server error' },
  })
  greet(
    @JsonBody() request: GreetRequestDto,
    @Headers('cookie') cookie: string | undefined,
    @Res({ passthrough: true }) res: unknown,
  ): Greeting {
    if (request.lang !== undefined) {
      // Through the adapter: Express's response and Fastify's reply set headers differently.
      this.adapterHost.httpAdapter.setHeader(res, 'Set-Cookie', languageCookie(request.lang));
    }
    return this.greetService.greet(request.name, request.lang ?? rememberedLanguage(cookie));
  }

  /**
   * The same greeting as a cacheable GET (`?name=Alice&lang=es`): shared caches
   * may keep it briefly, one copy per Origin (the answer varies on it).
   */
  @Get()
  @ApiOperation({ summary: 'The same greeting as a cacheable GET, one copy per Origin' })
  @ApiOkResponse({ type: GreetingResponse, headers: REQUEST_ID_HEADER })
  @ApiBadRequestResponse({ type: ErrorResponse, description: VALIDATION_ERRORS })
  @Cors({ methods: ['GET'] }, { merge: true })
  @Header('Cache-Control', 'public, max-age=10')
  greetByQuery(@Query() query: GreetRequestDto): Greeting {
    return this.greetService.greet(query.name, query.lang);
  }

  /** Public, credential-free data: any site may read it, any cache may share it. */
  @Get('languages')
  @ApiOperation({ summary: 'The languages the API speaks; public data' })
  @ApiOkResponse({ type: LanguageListResponse, headers: REQUEST_ID_HEADER })
  @Cors('public')
  @Header('Cache-Control', 'public, max-age=60')
  languages(): LanguageList {
    return this.greetService.languages();
  }
}
