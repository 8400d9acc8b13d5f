import { ArgumentsHost, BadRequestException, Catch, UseFilters } from '@nestjs/common';
import {
  BaseWsExceptionFilter,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WsException,
} from '@nestjs/websockets';
import { Cors } from 'nestjs-route-cors';
import { GreetRequestDto } from './greet-request.dto.js';
import { type Greeting, GreetService } from './greet.service.js';

/** A refused `greet` event reaches the client as Socket.IO's `exception` event with the validation message. */
@Catch(BadRequestException)
class GreetValidationFilter extends BaseWsExceptionFilter {
  override catch(exception: BadRequestException, host: ArgumentsHost): void {
    super.catch(new WsException(exception.message), host);
  }
}

/**
 * `POST /greet` over Socket.IO: a `greet` event with `{ name, lang }` is
 * acknowledged with the same greeting. Under the same `frontend` policy as
 * the HTTP routes: a page on another origin cannot even connect.
 */
@Cors('frontend')
@WebSocketGateway()
@UseFilters(GreetValidationFilter)
export class GreetGateway {
  constructor(private readonly greetService: GreetService) {}

  @SubscribeMessage('greet')
  greet(@MessageBody() request: GreetRequestDto): Greeting {
    return this.greetService.greet(request.name, request.lang);
  }
}
