import { createInterface } from 'node:readline';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { maskMsisdn } from '../../../core/phone.js';
import { terminalSafe } from '../../../core/terminal-text.js';
import { SmscSimulator, type SimulatorEvent, type UssdReply } from '../../../adapters/sms/smpp/simulator/smsc-simulator.js';

/**
 * `roamcard smsc-simulator`: a local SMSC / USSD gateway to try SMS_DRIVER=smpp before connecting
 * the operator's. It prints every SMS the server submits (reassembled, with its encoding) and
 * answers each with a delivery receipt; a person dials USSD codes from the keyboard:
 *
 *   dial +79001234567 *102#     the first screen of a session
 *   1                           an answer to the screen shown (while the session continues)
 *   drop | throttle N | help | quit
 *
 * A testing tool: its own command on its own port, nothing to do with the HTTP server.
 */

export const SIMULATOR_PORT_DEFAULT = 2775;
export const SIMULATOR_CREDENTIALS_DEFAULT = { system_id: 'roamcard', password: 'secret' } as const;

interface SimulatorCommandOptions {
  readonly port: number;
  readonly host: string;
  readonly systemId: string;
  readonly password: string;
}

export function registerSmscSimulatorCommand(program: Command): void {
  program
    .command('smsc-simulator')
    .description('run a local SMSC / USSD gateway (SMPP 3.4) that prints what it receives and lets you dial USSD codes')
    .addOption(new Option('--port <port>', 'port to listen on').default(SIMULATOR_PORT_DEFAULT).argParser(portArgument))
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--system-id <id>', 'system_id the ESME must bind with', SIMULATOR_CREDENTIALS_DEFAULT.system_id)
    .option('--password <password>', 'password the ESME must bind with', SIMULATOR_CREDENTIALS_DEFAULT.password)
    .action((options: SimulatorCommandOptions) => runSimulator(options));
}

function portArgument(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new InvalidArgumentError('a port number from 1 to 65535');
  return port;
}

async function runSimulator(options: SimulatorCommandOptions): Promise<void> {
  const print = (text: string) => console.log(text.split('\n').map(terminalSafe).join('\n'));
  const simulator = await SmscSimulator.start({
    port: options.port, host: options.host, system_id: options.systemId, password: options.password,
    onEvent: (event) => printEvent(print, event),
  });
  print(`SMSC simulator on smpp://${options.host}:${simulator.port} (system_id ${options.systemId})`);
  print(`Point roamcard at it: SMS_DRIVER=smpp SMPP_URL=smpp://${options.host}:${simulator.port} SMPP_SYSTEM_ID=${options.systemId} `
    + 'SMPP_PASSWORD=… SMPP_SOURCE_ADDR=roamcard roamcard serve');
  print('Type "dial +79001234567 *102#", then answers; "help" for more.');
  await readCommands(simulator, print);
  await simulator.close();
}

async function readCommands(simulator: SmscSimulator, print: (line: string) => void): Promise<void> {
  const input = createInterface({ input: process.stdin, terminal: false });
  let caller: string | undefined;
  const stop = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    input.once('close', resolve);
  });
  const show = (reply: UssdReply) => {
    print(`USSD ${reply.ussd_service_op === 17 ? 'END' : 'CON'} (op ${reply.ussd_service_op}):\n${reply.text}`);
    if (reply.ussd_service_op === 17) caller = undefined;
  };
  input.on('line', (line) => {
    const words = line.trim().split(/\s+/);
    const [command, first, second] = words;
    const attempt = (work: Promise<UssdReply>) => work.then(show, (error: Error) => print(`! ${error.message}`));
    if (command === 'dial' && first && second) {
      caller = first;
      void attempt(simulator.dial(first, second));
    } else if (command === 'drop') {
      simulator.dropLinks();
      print('links dropped');
    } else if (command === 'throttle' && first && /^\d+$/.test(first)) {
      simulator.throttleNext(Number(first));
      print(`the next ${first} submit_sm will be answered ESME_RTHROTTLED`);
    } else if (command === 'quit') {
      input.close();
    } else if (command === 'help' || command === undefined || command === '') {
      print('dial <number> <code> | <answer> (in a session) | drop | throttle <n> | quit');
    } else if (caller) {
      void attempt(simulator.answer(caller, line.trim()));
    } else {
      print('no USSD session: dial first (help for commands)');
    }
  });
  await stop;
  input.close();
}

function printEvent(print: (line: string) => void, event: SimulatorEvent): void {
  switch (event.type) {
    case 'bound': print(`bound: ${event.system_id}`); return;
    case 'bind_refused': print(`bind refused: ${event.system_id} (wrong system_id or password)`); return;
    case 'unbound': print('unbound'); return;
    case 'refused': print(`submit_sm to ${maskMsisdn(`+${event.destination_addr}`)} answered ${event.status}`); return;
    case 'ussd_reply': return;
    case 'sms': {
      const { sms } = event;
      print(`SMS to ${maskMsisdn(`+${sms.destination_addr}`)} (${sms.encoding}, ${sms.parts.length} part${sms.parts.length === 1 ? '' : 's'}, `
        + `receipt sent): ${sms.text.replace(/\r?\n/g, ' ⏎ ')}`);
    }
  }
}
