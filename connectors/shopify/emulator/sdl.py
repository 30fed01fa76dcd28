# ruff: noqa: E501  (SDL lines mirror Shopify field signatures; wrapping hurts reading)
"""The SDL subset of Shopify's GraphQL Admin schema the emulator serves.

Names and shapes follow shopify.dev's Admin reference so a client written
against the emulator runs against a real store. Kept as a Python string (not a
package-data file) so it ships with the code in every install mode.
"""

from __future__ import annotations

SDL = '''
"""Makes a mutation safe to retry: the same key returns the first result."""
directive @idempotent(key: String!) on FIELD

scalar DateTime
scalar Date
scalar Decimal
scalar Money
scalar URL
scalar UnsignedInt64
scalar JSON

interface Node { id: ID! }

type PageInfo {
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: String
  endCursor: String
}

interface DisplayableError { field: [String!] message: String! }
type UserError implements DisplayableError { field: [String!] message: String! }

enum CurrencyCode { USD EUR GBP CAD AUD JPY CHF SEK NOK DKK PLN CZK NZD SGD HKD MXN BRL INR ZAR }
enum CountryCode {
  US CA MX GB IE FR DE NL BE LU AT CH IT ES PT DK SE NO FI IS PL CZ SK HU SI HR RO BG GR
  EE LV LT AU NZ JP KR CN HK TW SG MY TH VN PH ID IN AE SA IL TR EG ZA NG KE BR AR CL CO PE
  KP IR SY CU RU BY VE MM SD
}

type MoneyV2 { amount: Decimal! currencyCode: CurrencyCode! }
type MoneyBag { shopMoney: MoneyV2! presentmentMoney: MoneyV2! }
input MoneyInput { amount: Decimal! currencyCode: CurrencyCode! }
input MoneyBagInput { shopMoney: MoneyInput! presentmentMoney: MoneyInput }

type Attribute { key: String! value: String }
input AttributeInput { key: String! value: String! }

type MailingAddress implements Node {
  id: ID!
  firstName: String lastName: String name: String company: String phone: String
  address1: String address2: String city: String
  province: String provinceCode: String
  country: String countryCodeV2: CountryCode
  zip: String
}
input MailingAddressInput {
  firstName: String lastName: String company: String phone: String
  address1: String address2: String city: String
  province: String provinceCode: String
  country: String countryCode: CountryCode zip: String
}

type Metafield implements Node {
  id: ID! namespace: String! key: String! value: String! type: String!
  compareDigest: String! ownerType: String createdAt: DateTime! updatedAt: DateTime!
}
type MetafieldEdge { cursor: String! node: Metafield! }
type MetafieldConnection { edges: [MetafieldEdge!]! nodes: [Metafield!]! pageInfo: PageInfo! }

enum OrderDisplayFinancialStatus {
  AUTHORIZED EXPIRED PAID PARTIALLY_PAID PARTIALLY_REFUNDED PENDING REFUNDED VOIDED
}
enum OrderDisplayFulfillmentStatus {
  FULFILLED IN_PROGRESS ON_HOLD OPEN PARTIALLY_FULFILLED PENDING_FULFILLMENT RESTOCKED
  SCHEDULED UNFULFILLED
}
enum OrderCancelReason { CUSTOMER DECLINED FRAUD INVENTORY OTHER STAFF }
enum RiskAssessmentResult { HIGH MEDIUM LOW NONE PENDING }
enum RiskFactSentiment { POSITIVE NEUTRAL NEGATIVE }
enum OrderRiskRecommendationResult { ACCEPT CANCEL INVESTIGATE NONE }
type RiskFact { description: String! sentiment: RiskFactSentiment! }
type OrderRiskAssessment { riskLevel: RiskAssessmentResult! facts: [RiskFact!]! }
type OrderRiskSummary {
  assessments: [OrderRiskAssessment!]!
  recommendation: OrderRiskRecommendationResult!
}
type OrderDisputeSummary { id: ID! initiatedAs: DisputeType! status: DisputeStatus! }

enum OrderSortKeys { CREATED_AT ID NUMBER PROCESSED_AT TOTAL_PRICE UPDATED_AT }

type Order implements Node {
  id: ID!
  legacyResourceId: UnsignedInt64!
  name: String!
  email: String
  phone: String
  note: String
  tags: [String!]!
  customAttributes: [Attribute!]!
  sourceName: String
  createdAt: DateTime!
  updatedAt: DateTime!
  processedAt: DateTime!
  cancelledAt: DateTime
  cancelReason: OrderCancelReason
  closed: Boolean!
  closedAt: DateTime
  confirmed: Boolean!
  test: Boolean!
  edited: Boolean!
  currencyCode: CurrencyCode!
  presentmentCurrencyCode: CurrencyCode!
  subtotalPriceSet: MoneyBag
  totalPriceSet: MoneyBag!
  currentTotalPriceSet: MoneyBag!
  totalTaxSet: MoneyBag
  totalShippingPriceSet: MoneyBag!
  totalDiscountsSet: MoneyBag
  totalRefundedSet: MoneyBag!
  totalReceivedSet: MoneyBag!
  totalOutstandingSet: MoneyBag!
  displayFinancialStatus: OrderDisplayFinancialStatus
  displayFulfillmentStatus: OrderDisplayFulfillmentStatus!
  customer: Customer
  shippingAddress: MailingAddress
  billingAddress: MailingAddress
  risk: OrderRiskSummary!
  lineItems(first: Int, after: String, last: Int, before: String): LineItemConnection!
  fulfillmentOrders(first: Int, after: String, last: Int, before: String, displayable: Boolean): FulfillmentOrderConnection!
  fulfillments(first: Int): [Fulfillment!]!
  refunds(first: Int): [Refund!]!
  returns(first: Int, after: String, last: Int, before: String): ReturnConnection!
  disputes: [OrderDisputeSummary!]!
  metafield(namespace: String, key: String!): Metafield
  metafields(first: Int, after: String, last: Int, before: String, namespace: String): MetafieldConnection!
}
type OrderEdge { cursor: String! node: Order! }
type OrderConnection { edges: [OrderEdge!]! nodes: [Order!]! pageInfo: PageInfo! }

type LineItem implements Node {
  id: ID!
  name: String!
  title: String!
  sku: String
  vendor: String
  quantity: Int!
  currentQuantity: Int!
  unfulfilledQuantity: Int!
  refundableQuantity: Int!
  requiresShipping: Boolean!
  originalUnitPriceSet: MoneyBag!
  discountedUnitPriceSet: MoneyBag!
  originalTotalSet: MoneyBag!
  variant: ProductVariant
  product: Product
}
type LineItemEdge { cursor: String! node: LineItem! }
type LineItemConnection { edges: [LineItemEdge!]! nodes: [LineItem!]! pageInfo: PageInfo! }

type Customer implements Node {
  id: ID!
  legacyResourceId: UnsignedInt64!
  email: String
  firstName: String
  lastName: String
  displayName: String!
  phone: String
  note: String
  tags: [String!]!
  numberOfOrders: UnsignedInt64!
  amountSpent: MoneyV2!
  defaultAddress: MailingAddress
  createdAt: DateTime!
  updatedAt: DateTime!
  orders(first: Int, after: String, last: Int, before: String, query: String, sortKey: OrderSortKeys, reverse: Boolean): OrderConnection!
  metafield(namespace: String, key: String!): Metafield
  metafields(first: Int, after: String, last: Int, before: String, namespace: String): MetafieldConnection!
}
type CustomerEdge { cursor: String! node: Customer! }
type CustomerConnection { edges: [CustomerEdge!]! nodes: [Customer!]! pageInfo: PageInfo! }

enum FulfillmentOrderStatus { CANCELLED CLOSED INCOMPLETE IN_PROGRESS ON_HOLD OPEN SCHEDULED }
enum FulfillmentHoldReason {
  AWAITING_PAYMENT AWAITING_RETURN_ITEMS HIGH_RISK_OF_FRAUD INCORRECT_ADDRESS
  INVENTORY_OUT_OF_STOCK ONLINE_STORE_POST_PURCHASE_CROSS_SELL OTHER UNKNOWN_DELIVERY_DATE
}
type FulfillmentHold implements Node {
  id: ID!
  handle: String
  reason: FulfillmentHoldReason!
  reasonNotes: String
  displayReason: String!
  heldByRequestingApp: Boolean!
  fulfillmentOrder: FulfillmentOrder!
}
type FulfillmentOrderDestination {
  id: ID! address1: String city: String countryCode: CountryCode zip: String
  province: String email: String firstName: String lastName: String
}
type FulfillmentOrderAssignedLocation { name: String! countryCode: CountryCode! }
type FulfillmentOrderLineItem implements Node {
  id: ID!
  totalQuantity: Int!
  remainingQuantity: Int!
  sku: String
  productTitle: String!
  lineItem: LineItem!
  variant: ProductVariant
}
type FulfillmentOrderLineItemEdge { cursor: String! node: FulfillmentOrderLineItem! }
type FulfillmentOrderLineItemConnection {
  edges: [FulfillmentOrderLineItemEdge!]! nodes: [FulfillmentOrderLineItem!]! pageInfo: PageInfo!
}
type FulfillmentOrder implements Node {
  id: ID!
  status: FulfillmentOrderStatus!
  fulfillAt: DateTime
  createdAt: DateTime!
  updatedAt: DateTime!
  order: Order!
  orderId: ID!
  orderName: String!
  destination: FulfillmentOrderDestination
  assignedLocation: FulfillmentOrderAssignedLocation!
  fulfillmentHolds: [FulfillmentHold!]!
  lineItems(first: Int, after: String, last: Int, before: String): FulfillmentOrderLineItemConnection!
}
type FulfillmentOrderEdge { cursor: String! node: FulfillmentOrder! }
type FulfillmentOrderConnection {
  edges: [FulfillmentOrderEdge!]! nodes: [FulfillmentOrder!]! pageInfo: PageInfo!
}

enum FulfillmentStatus { CANCELLED ERROR FAILURE OPEN PENDING SUCCESS }
enum FulfillmentDisplayStatus {
  ATTEMPTED_DELIVERY CANCELED CONFIRMED DELAYED DELIVERED FAILURE FULFILLED IN_TRANSIT
  LABEL_PRINTED LABEL_PURCHASED MARKED_AS_FULFILLED NOT_DELIVERED OUT_FOR_DELIVERY
  PICKED_UP READY_FOR_PICKUP SUBMITTED
}
enum FulfillmentEventStatus {
  ATTEMPTED_DELIVERY CARRIER_PICKED_UP CONFIRMED DELAYED DELIVERED FAILURE IN_TRANSIT
  LABEL_PRINTED LABEL_PURCHASED OUT_FOR_DELIVERY PICKED_UP READY_FOR_PICKUP
}
type FulfillmentTrackingInfo { number: String company: String url: URL }
type FulfillmentEvent implements Node {
  id: ID! status: FulfillmentEventStatus! message: String happenedAt: DateTime! createdAt: DateTime!
}
type FulfillmentEventEdge { cursor: String! node: FulfillmentEvent! }
type FulfillmentEventConnection {
  edges: [FulfillmentEventEdge!]! nodes: [FulfillmentEvent!]! pageInfo: PageInfo!
}
type Fulfillment implements Node {
  id: ID!
  name: String!
  status: FulfillmentStatus!
  displayStatus: FulfillmentDisplayStatus
  createdAt: DateTime!
  updatedAt: DateTime!
  totalQuantity: Int!
  trackingInfo(first: Int): [FulfillmentTrackingInfo!]!
  events(first: Int, after: String, last: Int, before: String): FulfillmentEventConnection!
  order: Order!
}

enum RefundLineItemRestockType { CANCEL LEGACY_RESTOCK NO_RESTOCK RETURN }
type RefundLineItem {
  id: ID
  lineItem: LineItem!
  quantity: Int!
  restockType: RefundLineItemRestockType!
  restocked: Boolean!
  subtotalSet: MoneyBag!
}
type RefundLineItemEdge { cursor: String! node: RefundLineItem! }
type RefundLineItemConnection {
  edges: [RefundLineItemEdge!]! nodes: [RefundLineItem!]! pageInfo: PageInfo!
}
type Refund implements Node {
  id: ID!
  legacyResourceId: UnsignedInt64!
  note: String
  createdAt: DateTime
  totalRefundedSet: MoneyBag!
  refundLineItems(first: Int, after: String, last: Int, before: String): RefundLineItemConnection!
  order: Order!
}

enum ReturnStatus { CANCELED CLOSED DECLINED OPEN REQUESTED }
enum ReturnReason {
  COLOR DEFECTIVE NOT_AS_DESCRIBED OTHER SIZE_TOO_LARGE SIZE_TOO_SMALL STYLE UNKNOWN
  UNWANTED WRONG_ITEM
}
enum ReturnDeclineReason { FINAL_SALE OTHER RETURN_PERIOD_ENDED }
type ReturnDecline { reason: ReturnDeclineReason! note: String }
type FulfillmentLineItem { id: ID! lineItem: LineItem! quantity: Int }
type ReturnLineItem implements Node {
  id: ID!
  quantity: Int!
  returnReason: ReturnReason!
  returnReasonNote: String!
  customerNote: String
  fulfillmentLineItem: FulfillmentLineItem!
}
type ReturnLineItemEdge { cursor: String! node: ReturnLineItem! }
type ReturnLineItemConnection {
  edges: [ReturnLineItemEdge!]! nodes: [ReturnLineItem!]! pageInfo: PageInfo!
}
type Return implements Node {
  id: ID!
  name: String!
  status: ReturnStatus!
  totalQuantity: Int!
  createdAt: DateTime!
  order: Order!
  decline: ReturnDecline
  returnLineItems(first: Int, after: String, last: Int, before: String): ReturnLineItemConnection!
}
type ReturnEdge { cursor: String! node: Return! }
type ReturnConnection { edges: [ReturnEdge!]! nodes: [Return!]! pageInfo: PageInfo! }

enum DisputeType { CHARGEBACK INQUIRY }
enum DisputeStatus { ACCEPTED CHARGE_REFUNDED LOST NEEDS_RESPONSE UNDER_REVIEW WON }
enum ShopifyPaymentsDisputeReason {
  BANK_CANNOT_PROCESS CREDIT_NOT_PROCESSED CUSTOMER_INITIATED DEBIT_NOT_AUTHORIZED DUPLICATE
  FRAUDULENT GENERAL INCORRECT_ACCOUNT_DETAILS INSUFFICIENT_FUNDS PRODUCT_NOT_RECEIVED
  PRODUCT_UNACCEPTABLE SUBSCRIPTION_CANCELLED UNRECOGNIZED
}
type ShopifyPaymentsDisputeReasonDetails {
  reason: ShopifyPaymentsDisputeReason! networkReasonCode: String
}
type ShopifyPaymentsDisputeEvidence implements Node {
  id: ID!
  accessActivityLog: String
  cancellationPolicyDisclosure: String
  cancellationRebuttal: String
  customerEmailAddress: String
  customerFirstName: String
  customerLastName: String
  refundPolicyDisclosure: String
  refundRefusalExplanation: String
  uncategorizedText: String
  submitted: Boolean!
}
type ShopifyPaymentsDispute implements Node {
  id: ID!
  legacyResourceId: UnsignedInt64!
  order: Order
  type: DisputeType!
  status: DisputeStatus!
  amount: MoneyV2!
  reasonDetails: ShopifyPaymentsDisputeReasonDetails!
  initiatedAt: DateTime!
  evidenceDueBy: Date
  evidenceSentOn: Date
  finalizedOn: Date
  disputeEvidence: ShopifyPaymentsDisputeEvidence!
}

enum DraftOrderStatus { COMPLETED INVOICE_SENT OPEN }
type DraftOrderLineItem implements Node {
  id: ID! title: String! sku: String quantity: Int!
  originalUnitPriceSet: MoneyBag! variant: ProductVariant
}
type DraftOrderLineItemEdge { cursor: String! node: DraftOrderLineItem! }
type DraftOrderLineItemConnection {
  edges: [DraftOrderLineItemEdge!]! nodes: [DraftOrderLineItem!]! pageInfo: PageInfo!
}
type DraftOrder implements Node {
  id: ID!
  name: String!
  status: DraftOrderStatus!
  email: String
  note: String
  tags: [String!]!
  createdAt: DateTime!
  updatedAt: DateTime!
  completedAt: DateTime
  order: Order
  customer: Customer
  shippingAddress: MailingAddress
  subtotalPriceSet: MoneyBag!
  totalPriceSet: MoneyBag!
  lineItems(first: Int, after: String, last: Int, before: String): DraftOrderLineItemConnection!
}

enum ProductStatus { ACTIVE ARCHIVED DRAFT }
type ProductVariant implements Node {
  id: ID!
  legacyResourceId: UnsignedInt64!
  title: String!
  displayName: String!
  sku: String
  price: Money!
  compareAtPrice: Money
  inventoryQuantity: Int
  product: Product!
}
type ProductVariantEdge { cursor: String! node: ProductVariant! }
type ProductVariantConnection {
  edges: [ProductVariantEdge!]! nodes: [ProductVariant!]! pageInfo: PageInfo!
}
type Product implements Node {
  id: ID!
  legacyResourceId: UnsignedInt64!
  title: String!
  handle: String!
  descriptionHtml: String!
  vendor: String!
  productType: String!
  status: ProductStatus!
  tags: [String!]!
  totalInventory: Int!
  createdAt: DateTime!
  updatedAt: DateTime!
  variants(first: Int, after: String, last: Int, before: String): ProductVariantConnection!
  metafield(namespace: String, key: String!): Metafield
  metafields(first: Int, after: String, last: Int, before: String, namespace: String): MetafieldConnection!
}
type ProductEdge { cursor: String! node: Product! }
type ProductConnection { edges: [ProductEdge!]! nodes: [Product!]! pageInfo: PageInfo! }

type Job { id: ID! done: Boolean! }

enum WebhookSubscriptionTopic {
  ORDERS_CREATE ORDERS_UPDATED ORDERS_CANCELLED ORDERS_EDITED ORDERS_PAID ORDERS_FULFILLED
  ORDERS_PARTIALLY_FULFILLED ORDERS_RISK_ASSESSMENT_CHANGED
  RETURNS_REQUEST RETURNS_APPROVE RETURNS_DECLINE RETURNS_CANCEL RETURNS_CLOSE REFUNDS_CREATE
  DISPUTES_CREATE DISPUTES_UPDATE
  FULFILLMENT_ORDERS_PLACED_ON_HOLD FULFILLMENT_ORDERS_HOLD_RELEASED FULFILLMENT_ORDERS_SPLIT
  FULFILLMENT_ORDERS_RESCHEDULED FULFILLMENT_ORDERS_CANCELLED FULFILLMENT_HOLDS_ADDED
  FULFILLMENT_HOLDS_RELEASED FULFILLMENT_EVENTS_CREATE FULFILLMENTS_CREATE
  VARIANTS_OUT_OF_STOCK INVENTORY_LEVELS_UPDATE
  PRODUCTS_CREATE PRODUCTS_UPDATE THEMES_UPDATE THEMES_PUBLISH
  CUSTOMERS_CREATE CUSTOMERS_UPDATE
}
enum WebhookSubscriptionFormat { JSON XML }
type WebhookSubscription implements Node {
  id: ID!
  topic: WebhookSubscriptionTopic!
  uri: String!
  format: WebhookSubscriptionFormat!
  createdAt: DateTime!
  updatedAt: DateTime!
}
type WebhookSubscriptionEdge { cursor: String! node: WebhookSubscription! }
type WebhookSubscriptionConnection {
  edges: [WebhookSubscriptionEdge!]! nodes: [WebhookSubscription!]! pageInfo: PageInfo!
}

type ShopPlan { displayName: String! shopifyPlus: Boolean! }
type Shop { id: ID! name: String! myshopifyDomain: String! currencyCode: CurrencyCode! plan: ShopPlan! }

type CalculatedLineItem {
  id: ID!
  title: String!
  sku: String
  quantity: Int!
  editableQuantity: Int!
  originalUnitPriceSet: MoneyBag!
  variant: ProductVariant
}
type CalculatedLineItemEdge { cursor: String! node: CalculatedLineItem! }
type CalculatedLineItemConnection {
  edges: [CalculatedLineItemEdge!]! nodes: [CalculatedLineItem!]! pageInfo: PageInfo!
}
type CalculatedOrder implements Node {
  id: ID!
  originalOrder: Order!
  committed: Boolean!
  subtotalPriceSet: MoneyBag!
  lineItems(first: Int, after: String, last: Int, before: String): CalculatedLineItemConnection!
}
type OrderEditSession { id: ID! }

type QueryRoot {
  node(id: ID!): Node
  nodes(ids: [ID!]!): [Node]!
  shop: Shop!
  order(id: ID!): Order
  orders(first: Int, after: String, last: Int, before: String, query: String, sortKey: OrderSortKeys, reverse: Boolean): OrderConnection!
  customer(id: ID!): Customer
  customers(first: Int, after: String, last: Int, before: String, query: String): CustomerConnection!
  fulfillmentOrder(id: ID!): FulfillmentOrder
  return(id: ID!): Return
  dispute(id: ID!): ShopifyPaymentsDispute
  product(id: ID!): Product
  products(first: Int, after: String, last: Int, before: String, query: String): ProductConnection!
  productVariant(id: ID!): ProductVariant
  draftOrder(id: ID!): DraftOrder
  job(id: ID!): Job
  webhookSubscriptions(first: Int, after: String, last: Int, before: String): WebhookSubscriptionConnection!
}
'''

MUTATION_SDL = """
enum FulfillmentOrderHoldUserErrorCode {
  DUPLICATED_FULFILLMENT_ORDER_LINE_ITEMS FULFILLMENT_ORDER_HOLD_LIMIT_REACHED
  FULFILLMENT_ORDER_NOT_FOUND GREATER_THAN_ZERO INVALID_LINE_ITEM_QUANTITY TAKEN
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

enum OrderCancelUserErrorCode { INVALID NOT_FOUND NO_REFUND_PERMISSION }
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
enum OrderTransactionKind { AUTHORIZATION CAPTURE CHANGE EMV_AUTHORIZATION REFUND SALE SUGGESTED_REFUND VOID }
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

enum ReturnErrorCode { INVALID INVALID_STATE NOT_FOUND }
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
  APP_NOT_AUTHORIZED BLANK INCLUSION INVALID INVALID_TYPE INVALID_VALUE LESS_THAN_OR_EQUAL_TO
  PRESENT STALE_OBJECT TAKEN TOO_LONG
}
type MetafieldsSetUserError implements DisplayableError {
  field: [String!] message: String! code: MetafieldsSetUserErrorCode elementIndex: Int
}
input MetafieldsSetInput {
  ownerId: ID! namespace: String key: String! value: String! type: String compareDigest: String
}
type MetafieldsSetPayload { metafields: [Metafield!] userErrors: [MetafieldsSetUserError!]! }

enum FulfillmentOrderSplitUserErrorCode {
  FULFILLMENT_ORDER_NOT_FOUND GREATER_THAN INVALID_LINE_ITEM_QUANTITY NO_LINE_ITEMS_PROVIDED_TO_SPLIT
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
  variantId: ID title: String sku: String quantity: Int! originalUnitPrice: Money requiresShipping: Boolean
}
input DraftOrderInput {
  email: String
  note: String
  tags: [String!]
  customerId: ID
  presentmentCurrencyCode: CurrencyCode
  lineItems: [DraftOrderLineItemInput!]
  shippingAddress: MailingAddressInput
  billingAddress: MailingAddressInput
  customAttributes: [AttributeInput!]
}
type DraftOrderCreatePayload { draftOrder: DraftOrder userErrors: [UserError!]! }
type DraftOrderCompletePayload { draftOrder: DraftOrder userErrors: [UserError!]! }

enum OrderCreateFinancialStatus { AUTHORIZED EXPIRED PAID PARTIALLY_PAID PARTIALLY_REFUNDED PENDING REFUNDED VOIDED }
enum OrderCreateInputsInventoryBehavior { BYPASS DECREMENT_IGNORING_POLICY DECREMENT_OBEYING_POLICY }
input OrderCreateLineItemInput {
  variantId: ID title: String sku: String quantity: Int! priceSet: MoneyBagInput requiresShipping: Boolean
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
  customAttributes: [AttributeInput!]
  lineItems: [OrderCreateLineItemInput!]
  shippingAddress: MailingAddressInput
  billingAddress: MailingAddressInput
  processedAt: DateTime
}
input OrderCreateOptionsInput {
  inventoryBehaviour: OrderCreateInputsInventoryBehavior sendReceipt: Boolean sendFulfillmentReceipt: Boolean
}
enum OrderCreateUserErrorCode { INVALID BLANK GREATER_THAN NOT_FOUND }
type OrderCreateUserError implements DisplayableError {
  field: [String!] message: String! code: OrderCreateUserErrorCode
}
type OrderCreatePayload { order: Order userErrors: [OrderCreateUserError!]! }

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
enum DisputeEvidenceUpdateUserErrorCode { DISPUTE_NOT_FOUND INVALID }
type DisputeEvidenceUpdateUserError implements DisplayableError {
  field: [String!] message: String! code: DisputeEvidenceUpdateUserErrorCode
}
type DisputeEvidenceUpdatePayload {
  disputeEvidence: ShopifyPaymentsDisputeEvidence
  userErrors: [DisputeEvidenceUpdateUserError!]!
}

input WebhookSubscriptionInput {
  callbackUrl: URL uri: String format: WebhookSubscriptionFormat includeFields: [String!]
}
type WebhookSubscriptionCreatePayload {
  webhookSubscription: WebhookSubscription userErrors: [UserError!]!
}
type WebhookSubscriptionDeletePayload { deletedWebhookSubscriptionId: ID userErrors: [UserError!]! }

type Mutation {
  fulfillmentOrderHold(id: ID!, fulfillmentHold: FulfillmentOrderHoldInput!): FulfillmentOrderHoldPayload
  fulfillmentOrderReleaseHold(id: ID!, holdIds: [ID!], externalId: String): FulfillmentOrderReleaseHoldPayload
  orderCancel(orderId: ID!, reason: OrderCancelReason!, restock: Boolean!, refund: Boolean, refundMethod: OrderCancelRefundMethodInput, notifyCustomer: Boolean, staffNote: String): OrderCancelPayload
  refundCreate(input: RefundInput!): RefundCreatePayload
  returnApproveRequest(input: ReturnApproveRequestInput!): ReturnApproveRequestPayload
  returnDeclineRequest(input: ReturnDeclineRequestInput!): ReturnDeclineRequestPayload
  tagsAdd(id: ID!, tags: [String!]!): TagsAddPayload
  tagsRemove(id: ID!, tags: [String!]!): TagsRemovePayload
  orderUpdate(input: OrderInput!): OrderUpdatePayload
  metafieldsSet(metafields: [MetafieldsSetInput!]!): MetafieldsSetPayload
  fulfillmentOrderSplit(fulfillmentOrderSplits: [FulfillmentOrderSplitInput!]!): FulfillmentOrderSplitPayload
  fulfillmentOrderReschedule(id: ID!, fulfillAt: DateTime!): FulfillmentOrderReschedulePayload
  orderEditBegin(id: ID!): OrderEditBeginPayload
  orderEditSetQuantity(id: ID!, lineItemId: ID!, quantity: Int!, restock: Boolean): OrderEditSetQuantityPayload
  orderEditAddVariant(id: ID!, variantId: ID!, quantity: Int!, locationId: ID, allowDuplicates: Boolean): OrderEditAddVariantPayload
  orderEditCommit(id: ID!, notifyCustomer: Boolean, staffNote: String): OrderEditCommitPayload
  draftOrderCreate(input: DraftOrderInput!): DraftOrderCreatePayload
  draftOrderComplete(id: ID!, paymentPending: Boolean, paymentGatewayId: ID, sourceName: String): DraftOrderCompletePayload
  orderCreate(order: OrderCreateOrderInput!, options: OrderCreateOptionsInput): OrderCreatePayload
  disputeEvidenceUpdate(id: ID!, input: ShopifyPaymentsDisputeEvidenceUpdateInput!): DisputeEvidenceUpdatePayload
  webhookSubscriptionCreate(topic: WebhookSubscriptionTopic!, webhookSubscription: WebhookSubscriptionInput!): WebhookSubscriptionCreatePayload
  webhookSubscriptionDelete(id: ID!): WebhookSubscriptionDeletePayload
}

schema { query: QueryRoot mutation: Mutation }
"""
