/** Spontaneous payments (pagamenti spontanei): see request.ts. */
export {
  requestSpontaneousPayment,
  servicesOf,
  serviceOf,
  spontaneousIupd,
  type SpontaneousChannel,
  type SpontaneousPaymentDeps,
  type SpontaneousPaymentRequest,
  type SpontaneousPaymentResult,
} from './request';
