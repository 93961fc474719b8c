export {
  startBackOfficeReceiver,
  type BackOfficeReceiver,
  type ReceivedEvent,
  type ReceivedRequest,
  type ReceiverFaults,
  type ReceiverOptions,
} from './receiver';
