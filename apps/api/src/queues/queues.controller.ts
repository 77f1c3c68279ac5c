import { Controller, Delete, Get, HttpCode, NotFoundException, Param, Post, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import type { Job, Queue } from 'bullmq';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { Type } from 'class-transformer';
import { AuditLog } from '@citypulse/alert-store';
import { ApiQueues } from '../alerting/api-queues.js';
import { callerOf } from '../alerting/caller.js';
import { requireAdmin } from '../alerting/require-admin.js';
import { PageOffset } from '../common/paging.js';
import { queueSummary } from './queue-summary.js';

const STATES = ['failed', 'waiting', 'active', 'delayed', 'completed'] as const;

export class JobsQuery {
  @IsOptional()
  @IsIn(STATES)
  state: (typeof STATES)[number] = 'failed';

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit = 50;

  @PageOffset()
  offset = 0;
}

/**
 * The BullMQ queues (rule evaluation, alert events, notifications, scheduled checks): depth per
 * state, completed and failed per minute, and the jobs themselves, with retry and remove.
 * Admin token only: jobs carry every city's data.
 */
@Controller('queues')
export class QueuesController {
  constructor(
    private readonly queues: ApiQueues,
    private readonly audit: AuditLog,
  ) {}

  @Get()
  async list(@Req() req: Request) {
    requireAdmin(callerOf(req));
    return { items: await Promise.all([...this.queues.byName.values()].map(queueSummary)) };
  }

  @Get(':name')
  async one(@Param('name') name: string, @Req() req: Request) {
    requireAdmin(callerOf(req));
    return queueSummary(this.queue(name));
  }

  @Get(':name/jobs')
  async jobs(@Param('name') name: string, @Query() q: JobsQuery, @Req() req: Request) {
    requireAdmin(callerOf(req));
    const jobs = await this.queue(name).getJobs([q.state], q.offset, q.offset + q.limit - 1);
    return { items: jobs.filter((j): j is Job => Boolean(j)).map(describeJob) };
  }

  @Post(':name/jobs/:id/retry')
  @HttpCode(200)
  async retry(@Param('name') name: string, @Param('id') id: string, @Req() req: Request) {
    const caller = callerOf(req);
    requireAdmin(caller);
    const job = await this.job(name, id);
    await job.retry('failed');
    await this.audit.record({ actor: caller.name, action: 'job.retry', target: `job:${name}/${id}` });
    return describeJob((await this.queue(name).getJob(id))!);
  }

  /** Retries every failed job of the queue (e.g. after a webhook receiver is fixed). */
  @Post(':name/retry-failed')
  @HttpCode(200)
  async retryFailed(@Param('name') name: string, @Req() req: Request) {
    const caller = callerOf(req);
    requireAdmin(caller);
    const queue = this.queue(name);
    const failed = await queue.getJobCountByTypes('failed');
    await queue.retryJobs({ state: 'failed', count: 1000 });
    await this.audit.record({
      actor: caller.name,
      action: 'queue.retry-failed',
      target: `queue:${name}`,
      detail: `${failed} jobs`,
    });
    return { retried: failed };
  }

  @Delete(':name/jobs/:id')
  @HttpCode(204)
  async remove(@Param('name') name: string, @Param('id') id: string, @Req() req: Request) {
    const caller = callerOf(req);
    requireAdmin(caller);
    const job = await this.job(name, id);
    await job.remove();
    await this.audit.record({ actor: caller.name, action: 'job.remove', target: `job:${name}/${id}` });
  }

  private queue(name: string): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new NotFoundException(`no queue ${name} (queues: ${[...this.queues.byName.keys()].join(', ')})`);
    return queue;
  }

  private async job(name: string, id: string): Promise<Job> {
    const job = await this.queue(name).getJob(id);
    if (!job) throw new NotFoundException(`no job ${id} in ${name}`);
    return job;
  }
}

function describeJob(job: Job<unknown, unknown>) {
  return {
    id: job.id,
    name: job.name,
    attemptsMade: job.attemptsMade,
    attempts: job.opts.attempts ?? 1,
    failedReason: job.failedReason || undefined,
    createdAt: new Date(job.timestamp).toISOString(),
    processedAt: job.processedOn ? new Date(job.processedOn).toISOString() : undefined,
    finishedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : undefined,
    returnValue: job.returnvalue ?? undefined,
    data: job.data,
  };
}
