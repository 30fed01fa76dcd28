# ruff: noqa: E501  (SDL lines mirror Shopify field signatures; wrapping hurts reading)
"""The SDL subset of Shopify's GraphQL Admin schema the emulator serves.

Names and shapes follow shopify.dev's Admin reference so a client written
against the emulator runs against a real store. Kept as a Python string (not a
package-data file) so it ships with the code in every install mode.
"""

from __future__ import annotations

from connectors.shopify.emulator.sdl_mutations import MUTATION_SDL

__all__ = ["MUTATION_SDL", "SDL"]

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
  transactions(first: Int, capturable: Boolean, manuallyResolvable: Boolean): [OrderTransaction!]!
  suggestedRefund(shippingAmount: Money, refundShipping: Boolean, refundLineItems: [RefundLineItemInput!], suppressTransactions: Boolean): SuggestedRefund
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
  transactions(first: Int, after: String, last: Int, before: String): OrderTransactionConnection!
  order: Order!
}

enum OrderTransactionKind { AUTHORIZATION CAPTURE CHANGE EMV_AUTHORIZATION REFUND SALE SUGGESTED_REFUND VOID }
enum OrderTransactionStatus { AWAITING_RESPONSE ERROR FAILURE PENDING SUCCESS UNKNOWN }
type OrderTransaction implements Node {
  id: ID!
  kind: OrderTransactionKind!
  status: OrderTransactionStatus!
  gateway: String
  formattedGateway: String
  amountSet: MoneyBag!
  createdAt: DateTime!
  processedAt: DateTime
  parentTransaction: OrderTransaction
  test: Boolean!
  order: Order
}
type OrderTransactionEdge { cursor: String! node: OrderTransaction! }
type OrderTransactionConnection {
  edges: [OrderTransactionEdge!]! nodes: [OrderTransaction!]! pageInfo: PageInfo!
}

enum SuggestedOrderTransactionKind { SUGGESTED_REFUND }
type SuggestedOrderTransaction {
  amountSet: MoneyBag!
  maximumRefundableSet: MoneyBag
  gateway: String
  formattedGateway: String
  kind: SuggestedOrderTransactionKind!
  parentTransaction: OrderTransaction
}
type ShippingRefund { amountSet: MoneyBag! maximumRefundableSet: MoneyBag! taxSet: MoneyBag! }
type SuggestedRefund {
  amountSet: MoneyBag!
  subtotalSet: MoneyBag!
  totalTaxSet: MoneyBag!
  discountedSubtotalSet: MoneyBag!
  maximumRefundableSet: MoneyBag!
  totalCartDiscountAmountSet: MoneyBag!
  shipping: ShippingRefund!
  refundLineItems: [RefundLineItem!]!
  suggestedTransactions: [SuggestedOrderTransaction!]!
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
  dispute: ShopifyPaymentsDispute!
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

type ShopifyPaymentsDisputeEdge { cursor: String! node: ShopifyPaymentsDispute! }
type ShopifyPaymentsDisputeConnection {
  edges: [ShopifyPaymentsDisputeEdge!]! nodes: [ShopifyPaymentsDispute!]! pageInfo: PageInfo!
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
type InventoryItem {
  id: ID!
  sku: String
  tracked: Boolean!
  variant: ProductVariant!
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
  disputes(first: Int, after: String, last: Int, before: String): ShopifyPaymentsDisputeConnection!
  product(id: ID!): Product
  products(first: Int, after: String, last: Int, before: String, query: String): ProductConnection!
  productVariant(id: ID!): ProductVariant
  inventoryItem(id: ID!): InventoryItem
  draftOrder(id: ID!): DraftOrder
  job(id: ID!): Job
  webhookSubscriptions(first: Int, after: String, last: Int, before: String): WebhookSubscriptionConnection!
}
'''
