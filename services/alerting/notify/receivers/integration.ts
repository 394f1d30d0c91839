import type { NotificationData } from '../notification-data.ts';

/** One configured destination of a receiver (one entry of email_configs or webhook_configs). */
export interface Integration {
  type: string;
  /** Index within its receiver's list of that type; with the receiver name it identifies the integration. */
  index: number;
  /** Whom it notifies, for the notification log (mail addresses, webhook URL without credentials). */
  target: string;
  sendResolved: boolean;
  /** Builds what would be sent, without sending (preview). */
  render(data: NotificationData): unknown;
  notify(data: NotificationData, signal: AbortSignal): Promise<void>;
}

/** Failure of one attempt; `retry` false means retrying cannot help (a 4xx, a bad template). */
export class NotifyError extends Error {
  constructor(message: string, readonly retry: boolean) {
    super(message);
    this.name = 'NotifyError';
  }
}
