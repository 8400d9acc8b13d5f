import { Controller, Get } from '@nestjs/common';

/** For load balancers and orchestrators, not browsers: no CORS policy. */
@Controller('health')
export class HealthController {
  @Get()
  check(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
