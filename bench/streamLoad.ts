/**
 * A bench:stream load process (started by loadProcess.ts, never on its own): it runs paced
 * producers and graphql-transport-ws subscribers (bench/transportWsSocket.ts) on the parent's commands, over IPC, and exits when
 * the parent disconnects.
 */
import { Kafka, logLevel } from 'kafkajs';
import type { LoadCommand, LoadReply, LoadResults } from './loadProcess.ts';
import { producePaced } from './pacedProducer.ts';
import { SubscriptionClients } from './subscriptionClients.ts';

const role = process.argv[2] ?? 'load';
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const clients = new SubscriptionClients();

async function run(command: LoadCommand): Promise<LoadResults[LoadCommand['kind']]> {
  switch (command.kind) {
    case 'produce': {
      const { kind: _kind, brokers, ...options } = command;
      const kafka = new Kafka({ clientId: `tributary-bench-${role}`, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
      return producePaced(kafka, options);
    }
    case 'subscribe': {
      const started = performance.now();
      await clients.open(command.url, command.field, command.query, command.connections, command.perConnection);
      return { connectMs: performance.now() - started };
    }
    case 'waitFinals':
      await clients.waitFinals(command.count, command.timeoutMs);
      return null;
    case 'collect':
      return clients.collect();
    case 'closeSubscriptions':
      await clients.closeAll();
      return null;
    default:
      return command satisfies never;
  }
}

process.on('message', (message: { id: number; command: LoadCommand }) => {
  const reply = (r: LoadReply) => process.connected && process.send!(r);
  run(message.command).then(
    (result) => reply({ id: message.id, ok: true, result }),
    (error: unknown) => reply({ id: message.id, ok: false, error: error instanceof Error ? error.stack ?? error.message : String(error) }),
  );
});

process.on('disconnect', () => {
  void clients.closeAll().finally(() => process.exit(0));
});
