import { Controller, Get, Header, HttpCode, HttpStatus, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { JsonBody } from '../common/json-body.decorator.js';
import { Cors } from 'nestjs-route-cors';
import { GreetRequestDto } from './greet-request.dto.js';
import { languageCookie, rememberedLanguage } from './language-cookie.js';
import { type Greeting, type LanguageList, GreetService } from './greet.service.js';

/** The article's API: only the configured front ends may read greetings. */
@Cors('frontend')
@Controller('greet')
export class GreetController {
  constructor(private readonly greetService: GreetService) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  greet(
    @JsonBody() request: GreetRequestDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Greeting {
    if (request.lang !== undefined) {
      res.setHeader('Set-Cookie', languageCookie(request.lang));
    }
    return this.greetService.greet(request.name, request.lang ?? rememberedLanguage(req.headers.cookie));
  }

  /**
   * The same greeting as a cacheable GET (`?name=Alice&lang=es`): shared caches
   * may keep it briefly, one copy per Origin (the answer varies on it).
   */
  @Get()
  @Cors({ methods: ['GET'] }, { merge: true })
  @Header('Cache-Control', 'public, max-age=10')
  greetByQuery(@Query() query: GreetRequestDto): Greeting {
    return this.greetService.greet(query.name, query.lang);
  }

  /** Public, credential-free data: any site may read it, any cache may share it. */
  @Get('languages')
  @Cors('public')
  @Header('Cache-Control', 'public, max-age=60')
  languages(): LanguageList {
    return this.greetService.languages();
  }
}
