import { Module } from '@nestjs/common';
import { GreetController } from './greet.controller.js';
import { GreetService } from './greet.service.js';

@Module({ controllers: [GreetController], providers: [GreetService] })
export class GreetModule {}
