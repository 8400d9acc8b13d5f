import { Module } from '@nestjs/common';
import { GreetController } from './greet.controller.js';
import { GreetGateway } from './greet.gateway.js';
import { GreetService } from './greet.service.js';

@Module({ controllers: [GreetController], providers: [GreetService, GreetGateway] })
export class GreetModule {}
