import { Controller, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { JsonBody } from '../common/json-body.decorator.js';
import { Cors } from '../cors/index.js';
import { GreetRequestDto } from './greet-request.dto.js';
import { type Greeting, type LanguageList, GreetService } from './greet.service.js';

/** The article's API: only the configured front ends may read greetings. */
@Cors('frontend')
@Controller('greet')
export class GreetController {
  constructor(private readonly greetService: GreetService) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  greet(@JsonBody() request: GreetRequestDto): Greeting {
    return this.greetService.greet(request.name, request.lang);
  }

  /** Public, credential-free data: any site may read it. */
  @Get('languages')
  @Cors('public')
  languages(): LanguageList {
    return this.greetService.languages();
  }
}
