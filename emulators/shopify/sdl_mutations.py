# ruff: noqa: E501  (SDL lines mirror Shopify field signatures; wrapping hurts reading)
"""The mutation half of the emulator's SDL: inputs, payloads, typed user errors.

Every payload has ``userErrors`` (typed ``*UserError`` with ``code`` where
Shopify has one). Some codes are best guesses; clients should branch on
``userErrors`` being non-empty, not on a specific code.
"""

from __future__ import annotations

MUTATION_SDL = """
enum FulfillmentOrderHoldUserErrorCode {
  FULFILLMENT_ORDER_NOT_FOUND TAKEN GREATER_THAN_ZERO FULFILLMENT_ORDER_HOLD_LIMIT_REACHED
  DUPLICATE_FULFILLMENT_HOLD_HANDLE INVALID_LINE_ITEM_QUANTITY FULFILLMENT_ORDER_NOT_SPLITTABLE
  DUPLICATED_FULFILLMENT_ORDER_LINE_ITEMS
}
type FulfillmentOrderHoldUserError implements DisplayableError {
  field: [String!] message: String! code: FulfillmentOrderHoldUserErrorCode
}
input FulfillmentOrderLineItemInput { id: ID! quantity: Int! }
input FulfillmentOrderHoldInput {
  reason: FulfillmentHoldReason!
  reasonNotes: String
  notifyMerchant: Boolean
  externalId: String
  handle: String
  fulfillmentOrderLineItems: [FulfillmentOrderLineItemInput!]
}
type FulfillmentOrderHoldPayload {
  fulfillmentHold: FulfillmentHold
  fulfillmentOrder: FulfillmentOrder
  remainingFulfillmentOrder: FulfillmentOrder
  userErrors: [FulfillmentOrderHoldUserError!]!
}

enum FulfillmentOrderReleaseHoldUserErrorCode { FULFILLMENT_ORDER_NOT_FOUND INVALID_ACCESS }
type FulfillmentOrderReleaseHoldUserError implements DisplayableError {
  field: [String!] message: String! code: FulfillmentOrderReleaseHoldUserErrorCode
}
type FulfillmentOrderReleaseHoldPayload {
  fulfillmentOrder: FulfillmentOrder
  userErrors: [FulfillmentOrderReleaseHoldUserError!]!
}

enum OrderCancelUserErrorCode {
  NO_REFUND_PERMISSION NO_REFUND_TO_STORE_CREDIT_PERMISSION
  STORE_CREDIT_REFUND_EXPIRATION_IN_PAST STORE_CREDIT_REFUND_MISSING_CUSTOMER
  STORE_CREDIT_REFUND_B2B_NOT_SUPPORTED NOT_FOUND INVALID INTERNAL_ERROR
}
type OrderCancelUserError implements DisplayableError {
  field: [String!] message: String! code: OrderCancelUserErrorCode
}
input OrderCancelRefundMethodInput { originalPaymentMethodsRefund: Boolean }
type OrderCancelPayload {
  job: Job
  orderCancelUserErrors: [OrderCancelUserError!]!
  userErrors: [UserError!]!
}

input RefundLineItemInput {
  lineItemId: ID! quantity: Int! restockType: RefundLineItemRestockType locationId: ID
}
input ShippingRefundInput { amount: Money fullRefund: Boolean }
input OrderTransactionInput {
  amount: Money! gateway: String! kind: OrderTransactionKind! orderId: ID! parentId: ID
}
input RefundInput {
  orderId: ID!
  note: String
  notify: Boolean
  currency: CurrencyCode
  refundLineItems: [RefundLineItemInput!]
  shipping: ShippingRefundInput
  transactions: [OrderTransactionInput!]
}
type RefundCreatePayload { refund: Refund order: Order userErrors: [UserError!]! }

enum ReturnErrorCode {
  INTERNAL_ERROR TOO_MANY_ARGUMENTS BLANK EQUAL_TO GREATER_THAN GREATER_THAN_OR_EQUAL_TO
  INCLUSION INVALID LESS_THAN LESS_THAN_OR_EQUAL_TO NOT_A_NUMBER PRESENT TAKEN TOO_BIG TOO_LONG
  TOO_SHORT WRONG_LENGTH ALREADY_EXISTS CREATION_FAILED FEATURE_NOT_ENABLED INVALID_STATE
  MISSING_PERMISSION NOTIFICATION_FAILED NOT_EDITABLE NOT_FOUND
}
type ReturnUserError implements DisplayableError {
  field: [String!] message: String! code: ReturnErrorCode
}
input ReturnApproveRequestInput { id: ID! notifyCustomer: Boolean }
input ReturnDeclineRequestInput {
  id: ID! declineReason: ReturnDeclineReason! declineNote: String notifyCustomer: Boolean
}
type ReturnApproveRequestPayload { return: Return userErrors: [ReturnUserError!]! }
type ReturnDeclineRequestPayload { return: Return userErrors: [ReturnUserError!]! }

type TagsAddPayload { node: Node userErrors: [UserError!]! }
type TagsRemovePayload { node: Node userErrors: [UserError!]! }

input OrderInput {
  id: ID!
  note: String
  tags: [String!]
  email: String
  shippingAddress: MailingAddressInput
  customAttributes: [AttributeInput!]
}
type OrderUpdatePayload { order: Order userErrors: [UserError!]! }

enum MetafieldsSetUserErrorCode {
  CAPABILITY_VIOLATION STALE_OBJECT INVALID_COMPARE_DIGEST INVALID_TYPE INVALID_VALUE
  APP_NOT_AUTHORIZED INCLUSION TAKEN PRESENT BLANK TOO_LONG TOO_SHORT LESS_THAN_OR_EQUAL_TO
  INVALID INTERNAL_ERROR
}
type MetafieldsSetUserError implements DisplayableError {
  field: [String!] message: String! code: MetafieldsSetUserErrorCode elementIndex: Int
}
input MetafieldsSetInput {
  ownerId: ID! namespace: String key: String! value: String! type: String compareDigest: String
}
type MetafieldsSetPayload { metafields: [Metafield!] userErrors: [MetafieldsSetUserError!]! }

enum FulfillmentOrderSplitUserErrorCode {
  FULFILLMENT_ORDER_NOT_FOUND GREATER_THAN INVALID_LINE_ITEM_QUANTITY
  NO_LINE_ITEMS_PROVIDED_TO_SPLIT
}
type FulfillmentOrderSplitUserError implements DisplayableError {
  field: [String!] message: String! code: FulfillmentOrderSplitUserErrorCode
}
input FulfillmentOrderSplitInput {
  fulfillmentOrderId: ID! fulfillmentOrderLineItems: [FulfillmentOrderLineItemInput!]!
}
type FulfillmentOrderSplitResult {
  fulfillmentOrder: FulfillmentOrder!
  remainingFulfillmentOrder: FulfillmentOrder!
  replacementFulfillmentOrder: FulfillmentOrder
}
type FulfillmentOrderSplitPayload {
  fulfillmentOrderSplits: [FulfillmentOrderSplitResult!]
  userErrors: [FulfillmentOrderSplitUserError!]!
}

enum FulfillmentOrderRescheduleUserErrorCode { FULFILLMENT_ORDER_NOT_FOUND }
type FulfillmentOrderRescheduleUserError implements DisplayableError {
  field: [String!] message: String! code: FulfillmentOrderRescheduleUserErrorCode
}
type FulfillmentOrderReschedulePayload {
  fulfillmentOrder: FulfillmentOrder
  userErrors: [FulfillmentOrderRescheduleUserError!]!
}

type OrderEditBeginPayload {
  calculatedOrder: CalculatedOrder orderEditSession: OrderEditSession userErrors: [UserError!]!
}
type OrderEditSetQuantityPayload {
  calculatedOrder: CalculatedOrder calculatedLineItem: CalculatedLineItem userErrors: [UserError!]!
}
type OrderEditAddVariantPayload {
  calculatedOrder: CalculatedOrder calculatedLineItem: CalculatedLineItem userErrors: [UserError!]!
}
type OrderEditCommitPayload { order: Order userErrors: [UserError!]! }

input DraftOrderLineItemInput {
  variantId: ID title: String sku: String quantity: Int! originalUnitPriceWithCurrency: MoneyInput
  requiresShipping: Boolean
}
input PurchasingEntityInput { customerId: ID }
enum DraftOrderAppliedDiscountType { FIXED_AMOUNT PERCENTAGE }
input DraftOrderAppliedDiscountInput {
  value: Float! valueType: DraftOrderAppliedDiscountType! title: String description: String
}
input DraftOrderInput {
  appliedDiscount: DraftOrderAppliedDiscountInput
  email: String
  note: String
  tags: [String!]
  purchasingEntity: PurchasingEntityInput
  presentmentCurrencyCode: CurrencyCode
  lineItems: [DraftOrderLineItemInput!]
  shippingAddress: MailingAddressInput
  billingAddress: MailingAddressInput
  customAttributes: [AttributeInput!]
}
type DraftOrderCreatePayload { draftOrder: DraftOrder userErrors: [UserError!]! }
type DraftOrderCompletePayload { draftOrder: DraftOrder userErrors: [UserError!]! }
type DraftOrderInvoiceSendPayload { draftOrder: DraftOrder userErrors: [UserError!]! }

enum OrderCreateFinancialStatus {
  PENDING AUTHORIZED PARTIALLY_PAID PAID PARTIALLY_REFUNDED REFUNDED VOIDED EXPIRED
}
enum OrderCreateInputsInventoryBehavior {
  BYPASS DECREMENT_IGNORING_POLICY DECREMENT_OBEYING_POLICY
}
input OrderCreateLineItemInput {
  variantId: ID title: String sku: String quantity: Int! priceSet: MoneyBagInput requiresShipping: Boolean
  taxable: Boolean taxLines: [OrderCreateTaxLineInput!]
}
input OrderCreateTaxLineInput {
  channelLiable: Boolean priceSet: MoneyBagInput rate: Decimal! title: String!
}
input OrderCreateShippingLineInput {
  code: String priceSet: MoneyBagInput! source: String taxLines: [OrderCreateTaxLineInput!] title: String!
}
input OrderCreateAssociateCustomerAttributesInput { id: ID email: String }
input OrderCreateUpsertCustomerAttributesInput {
  email: String firstName: String lastName: String phone: String tags: [String!]
}
input OrderCreateCustomerInput {
  toAssociate: OrderCreateAssociateCustomerAttributesInput
  toUpsert: OrderCreateUpsertCustomerAttributesInput
}
input OrderCreateOrderInput {
  email: String
  phone: String
  note: String
  tags: [String!]
  currency: CurrencyCode
  sourceName: String
  financialStatus: OrderCreateFinancialStatus
  customer: OrderCreateCustomerInput
  customAttributes: [OrderCreateCustomAttributeInput!]
  lineItems: [OrderCreateLineItemInput!]
  shippingLines: [OrderCreateShippingLineInput!]
  taxesIncluded: Boolean
  shippingAddress: MailingAddressInput
  billingAddress: MailingAddressInput
  processedAt: DateTime
}
input OrderCreateCustomAttributeInput { key: String! value: String! }
input OrderCreateOptionsInput {
  inventoryBehaviour: OrderCreateInputsInventoryBehavior sendReceipt: Boolean sendFulfillmentReceipt: Boolean
}
enum OrderCreateUserErrorCode {
  INVALID FULFILLMENT_SERVICE_INVALID INVENTORY_CLAIM_FAILED PROCESSED_AT_INVALID
  TAX_LINE_RATE_MISSING REDUNDANT_CUSTOMER_FIELDS SHOP_DORMANT
}
type OrderCreateUserError implements DisplayableError {
  field: [String!] message: String! code: OrderCreateUserErrorCode
}
type OrderCreatePayload { order: Order userErrors: [OrderCreateUserError!]! }

input PaymentScheduleInput { dueAt: DateTime issuedAt: DateTime }
input PaymentTermsCreateInput {
  paymentSchedules: [PaymentScheduleInput!] paymentTermsTemplateId: ID!
}
enum PaymentTermsCreateUserErrorCode { PAYMENT_TERMS_CREATION_UNSUCCESSFUL }
type PaymentTermsCreateUserError implements DisplayableError {
  code: PaymentTermsCreateUserErrorCode field: [String!] message: String!
}
type PaymentTermsCreatePayload {
  paymentTerms: PaymentTerms userErrors: [PaymentTermsCreateUserError!]!
}

input ShopifyPaymentsDisputeEvidenceUpdateInput {
  accessActivityLog: String
  cancellationPolicyDisclosure: String
  cancellationRebuttal: String
  customerEmailAddress: String
  customerFirstName: String
  customerLastName: String
  refundPolicyDisclosure: String
  refundRefusalExplanation: String
  uncategorizedText: String
  submitEvidence: Boolean
}
enum DisputeEvidenceUpdateUserErrorCode {
  DISPUTE_EVIDENCE_NOT_FOUND EVIDENCE_ALREADY_ACCEPTED EVIDENCE_PAST_DUE_DATE
  FILES_SIZE_EXCEEDED_LIMIT FILE_NOT_FOUND TOO_LARGE INVALID
}
type DisputeEvidenceUpdateUserError implements DisplayableError {
  field: [String!] message: String! code: DisputeEvidenceUpdateUserErrorCode
}
type DisputeEvidenceUpdatePayload {
  disputeEvidence: ShopifyPaymentsDisputeEvidence
  userErrors: [DisputeEvidenceUpdateUserError!]!
}

input WebhookSubscriptionInput {
  uri: String format: WebhookSubscriptionFormat includeFields: [String!]
}
type WebhookSubscriptionCreatePayload {
  webhookSubscription: WebhookSubscription userErrors: [UserError!]!
}
type WebhookSubscriptionDeletePayload { deletedWebhookSubscriptionId: ID userErrors: [UserError!]! }

input ProductUpdateInput {
  id: ID title: String descriptionHtml: String productType: String vendor: String
  status: ProductStatus tags: [String!]
}
type ProductUpdatePayload { product: Product userErrors: [UserError!]! }
input ProductVariantsBulkInput { id: ID price: Money compareAtPrice: Money }
enum ProductVariantsBulkUpdateUserErrorCode {
  INVALID_INPUT CANNOT_SPECIFY_BOTH MUST_SPECIFY_ONE_OF_PAIR OPTION_VALUE_NAME_TOO_LONG
  PRODUCT_DOES_NOT_EXIST PRODUCT_VARIANT_ID_MISSING PRODUCT_VARIANT_DOES_NOT_EXIST
  OPTION_DOES_NOT_EXIST OPTION_VALUE_DOES_NOT_EXIST MUST_BE_FOR_THIS_PRODUCT NOT_DEFINED_FOR_SHOP
  PRODUCT_SUSPENDED NO_INVENTORY_QUANTITIES_ON_VARIANTS_UPDATE VARIANT_ALREADY_EXISTS
  GREATER_THAN_OR_EQUAL_TO NEED_TO_ADD_OPTION_VALUES OPTION_VALUES_FOR_NUMBER_OF_UNKNOWN_OPTIONS
  SUBSCRIPTION_VIOLATION NO_INVENTORY_QUANTITES_DURING_UPDATE NEGATIVE_PRICE_VALUE BLANK TOO_SHORT
  TOO_LONG INVALID_VALUE CANNOT_SET_NAME_FOR_LINKED_OPTION_VALUE
  UNSUPPORTED_COMBINED_LISTING_PARENT_OPERATION INVENTORY_QUANTITIES_LIMIT_EXCEEDED
}
type ProductVariantsBulkUpdateUserError implements DisplayableError {
  field: [String!] message: String! code: ProductVariantsBulkUpdateUserErrorCode
}
type ProductVariantsBulkUpdatePayload {
  product: Product productVariants: [ProductVariant!] userErrors: [ProductVariantsBulkUpdateUserError!]!
}

enum FulfillmentOrderRejectionReason {
  INCORRECT_ADDRESS INVENTORY_OUT_OF_STOCK INELIGIBLE_PRODUCT UNDELIVERABLE_DESTINATION
  INTERNATIONAL_SHIPPING_UNAVAILABLE INCORRECT_PRODUCT_INFO MISSING_CUSTOMS_INFO INVALID_SKU
  PAYMENT_DECLINED PACKAGE_PREFERENCE_NOT_SET INVALID_CONTACT_INFORMATION ORDER_TOO_LARGE
  MERCHANT_BLOCKED_OR_SUSPENDED OTHER
}
input IncomingRequestLineItemInput { fulfillmentOrderLineItemId: ID! message: String }
type FulfillmentOrderSubmitFulfillmentRequestPayload {
  originalFulfillmentOrder: FulfillmentOrder
  submittedFulfillmentOrder: FulfillmentOrder
  unsubmittedFulfillmentOrder: FulfillmentOrder
  userErrors: [UserError!]!
}
type FulfillmentOrderAcceptFulfillmentRequestPayload {
  fulfillmentOrder: FulfillmentOrder userErrors: [UserError!]!
}
type FulfillmentOrderRejectFulfillmentRequestPayload {
  fulfillmentOrder: FulfillmentOrder userErrors: [UserError!]!
}
type FulfillmentOrderClosePayload { fulfillmentOrder: FulfillmentOrder userErrors: [UserError!]! }

type Mutation {
  fulfillmentOrderHold(id: ID!, fulfillmentHold: FulfillmentOrderHoldInput!): FulfillmentOrderHoldPayload
  fulfillmentOrderReleaseHold(id: ID!, holdIds: [ID!], externalId: String): FulfillmentOrderReleaseHoldPayload
  orderCancel(orderId: ID!, reason: OrderCancelReason!, restock: Boolean!, refundMethod: OrderCancelRefundMethodInput, notifyCustomer: Boolean, staffNote: String): OrderCancelPayload
  refundCreate(input: RefundInput!): RefundCreatePayload
  returnApproveRequest(input: ReturnApproveRequestInput!): ReturnApproveRequestPayload
  returnDeclineRequest(input: ReturnDeclineRequestInput!): ReturnDeclineRequestPayload
  productUpdate(product: ProductUpdateInput): ProductUpdatePayload
  productVariantsBulkUpdate(productId: ID!, variants: [ProductVariantsBulkInput!]!, allowPartialUpdates: Boolean = false): ProductVariantsBulkUpdatePayload
  tagsAdd(id: ID!, tags: [String!]!): TagsAddPayload
  tagsRemove(id: ID!, tags: [String!]!): TagsRemovePayload
  orderUpdate(input: OrderInput!): OrderUpdatePayload
  metafieldsSet(metafields: [MetafieldsSetInput!]!): MetafieldsSetPayload
  fulfillmentOrderSplit(fulfillmentOrderSplits: [FulfillmentOrderSplitInput!]!): FulfillmentOrderSplitPayload
  fulfillmentOrderReschedule(id: ID!, fulfillAt: DateTime!): FulfillmentOrderReschedulePayload
  fulfillmentOrderSubmitFulfillmentRequest(id: ID!, message: String, notifyCustomer: Boolean, fulfillmentOrderLineItems: [FulfillmentOrderLineItemInput!]): FulfillmentOrderSubmitFulfillmentRequestPayload
  fulfillmentOrderAcceptFulfillmentRequest(id: ID!, message: String, estimatedShippedAt: DateTime): FulfillmentOrderAcceptFulfillmentRequestPayload
  fulfillmentOrderRejectFulfillmentRequest(id: ID!, message: String, reason: FulfillmentOrderRejectionReason, lineItems: [IncomingRequestLineItemInput!]): FulfillmentOrderRejectFulfillmentRequestPayload
  fulfillmentOrderClose(id: ID!, message: String): FulfillmentOrderClosePayload
  orderEditBegin(id: ID!): OrderEditBeginPayload
  orderEditSetQuantity(id: ID!, lineItemId: ID!, quantity: Int!, restock: Boolean): OrderEditSetQuantityPayload
  orderEditAddVariant(id: ID!, variantId: ID!, quantity: Int!, locationId: ID, allowDuplicates: Boolean): OrderEditAddVariantPayload
  orderEditCommit(id: ID!, notifyCustomer: Boolean, staffNote: String): OrderEditCommitPayload
  draftOrderCreate(input: DraftOrderInput!): DraftOrderCreatePayload
  draftOrderComplete(id: ID!, paymentGatewayId: ID, sourceName: String): DraftOrderCompletePayload
  draftOrderInvoiceSend(id: ID!): DraftOrderInvoiceSendPayload
  orderCreate(order: OrderCreateOrderInput!, options: OrderCreateOptionsInput): OrderCreatePayload
  paymentTermsCreate(paymentTermsAttributes: PaymentTermsCreateInput!, referenceId: ID!): PaymentTermsCreatePayload
  disputeEvidenceUpdate(id: ID!, input: ShopifyPaymentsDisputeEvidenceUpdateInput!): DisputeEvidenceUpdatePayload
  webhookSubscriptionCreate(topic: WebhookSubscriptionTopic!, webhookSubscription: WebhookSubscriptionInput!): WebhookSubscriptionCreatePayload
  webhookSubscriptionDelete(id: ID!): WebhookSubscriptionDeletePayload
}

schema { query: QueryRoot mutation: Mutation }
"""
