import type { FastifyBaseLogger } from 'fastify';
import nodemailer from 'nodemailer';

/** Message ready to leave the shop. */
export interface MailMessage {
  mailId: number;
  kind: string;
  from: string;
  to: string;
  subject: string;
  text: string;
}

/**
 * Destination of outgoing mail. `erasesBody` is true when the transport hands the message to
 * someone else (SMTP), after which the outbox no longer needs to keep its body.
 */
export interface MailTransport {
  readonly erasesBody: boolean;
  send(message: MailMessage): Promise<void>;
  close(): void;
}

/**
 * Creates a transport that sends through the SMTP server in `smtpUrl`, with credentials in the
 * URL. smtp:// uses STARTTLS when the server offers it, and smtps:// uses TLS from the start.
 * Each send waits for the server to accept the message.
 */
export function createSmtpTransport(smtpUrl: string): MailTransport {
  const transporter = nodemailer.createTransport(smtpUrl);
  return {
    erasesBody: true,
    async send(message) {
      await transporter.sendMail({
        from: message.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
      });
    },
    close: () => transporter.close(),
  };
}

/**
 * Creates the development transport, which logs that a message would have been sent with its
 * id, kind and subject only. Bodies carry sign-in links and addresses are personal data, so
 * neither is logged. The body stays in the outbox table, where the admin's outbox page shows it.
 */
export function createLogTransport(log: FastifyBaseLogger): MailTransport {
  return {
    erasesBody: false,
    async send(message) {
      log.info(
        { mailId: message.mailId, kind: message.kind, subject: message.subject },
        'mail not sent: no SMTP_URL, body kept in the outbox',
      );
    },
    close: () => {},
  };
}
