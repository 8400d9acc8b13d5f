import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthResponse, REQUEST_ID_HEADER } from '../docs/api-responses.js';

/** For load balancers and orchestrators, not browsers: no CORS policy. */
@ApiTags('health')
@Controller('health')
export class HealthController {
  @Get()
  @ApiOperation({ summary: 'Liveness for load balancers' })
  @ApiOkResponse({ type: HealthResponse, headers: REQUEST_ID_HEADER })
  check(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
