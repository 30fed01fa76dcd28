# ruff: noqa: E501  (SDL lines mirror Shopify field signatures; wrapping hurts reading)
"""The SDL subset of Shopify's GraphQL Admin schema the emulator serves.

Names and shapes follow shopify.dev's Admin reference so a client written
against the emulator runs against a real store. Kept as a Python string (not a
package-data file) so it ships with the code in every install mode.
"""

from __future__ import annotations

from emulators.shopify.sdl_mutations import MUTATION_SDL

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
scalar HTML
scalar FormattedString

interface Node { id: ID! }

type PageInfo {
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: String
  endCursor: String
}

interface DisplayableError { field: [String!] message: String! }
type UserError implements DisplayableError { field: [String!] message: String! }

enum CurrencyCode {
  USD EUR GBP CAD AFN ALL DZD AOA ARS AMD AWG AUD BBD AZN BDT BSD BHD BIF BYN BZD BMD BTN BAM
  BRL BOB BWP BND BGN MMK KHR CVE KYD XAF CLP CNY COP KMF CDF CRC HRK CZK DKK DJF DOP XCD EGP
  ERN ETB FKP XPF FJD GIP GMD GHS GTQ GYD GEL GNF HTG HNL HKD HUF ISK INR IDR ILS IRR IQD JMD
  JPY JEP JOD KZT KES KID KWD KGS LAK LVL LBP LSL LRD LYD LTL MGA MKD MOP MWK MVR MRU MXN MYR
  MUR MDL MAD MNT MZN NAD NPR ANG NZD NIO NGN NOK OMR PAB PKR PGK PYG PEN PHP PLN QAR RON RUB
  RWF WST SHP SAR RSD SCR SLL SGD SDG SOS SYP ZAR KRW SSP SBD LKR SRD SZL SEK CHF TWD THB TJS
  TZS TOP TTD TND TRY TMT UGX UAH AED UYU UZS VUV VES VND XOF YER ZMW USDC BYR STD STN VED VEF
  XXX
}
enum CountryCode {
  AF AX AL DZ AD AO AI AG AR AM AW AC AU AT AZ BS BH BD BB BY BE BZ BJ BM BT BO BA BW BV BR IO
  BN BG BF BI KH CA CV BQ KY CF TD CL CN CX CC CO KM CG CD CK CR HR CU CW CY CZ CI DK DJ DM DO
  EC EG SV GQ ER EE SZ ET FK FO FJ FI FR GF PF TF GA GM GE DE GH GI GR GL GD GP GT GG GN GW GY
  HT HM VA HN HK HU IS IN ID IR IQ IE IM IL IT JM JP JE JO KZ KE KI KP XK KW KG LA LV LB LS LR
  LY LI LT LU MO MG MW MY MV ML MT MQ MR MU YT MX MD MC MN ME MS MA MZ MM NA NR NP NL AN NC NZ
  NI NE NG NU NF MK NO OM PK PS PA PG PY PE PH PN PL PT QA CM RE RO RU RW BL SH KN LC MF PM WS
  SM ST SA SN RS SC SL SG SX SK SI SB SO ZA GS KR SS ES LK VC SD SR SJ SE CH SY TW TJ TZ TH TL
  TG TK TO TT TA TN TR TM TC TV UG UA AE GB US UM UY UZ VU VE VN VG WF EH YE ZM ZW ZZ
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
  provinceCode: String countryCode: CountryCode zip: String
}

enum MetafieldOwnerType {
  API_PERMISSION COMPANY COMPANY_LOCATION PAYMENT_CUSTOMIZATION VALIDATION CUSTOMER
  DELIVERY_CUSTOMIZATION DRAFTORDER GIFT_CARD_TRANSACTION MARKET CARTTRANSFORM COLLECTION
  MEDIA_IMAGE PRODUCT PRODUCTVARIANT SELLING_PLAN ARTICLE BLOG PAGE FULFILLMENT_CONSTRAINT_RULE
  ORDER_ROUTING_LOCATION_RULE DISCOUNT ORDER LOCATION SHOP
}
type Metafield implements Node {
  id: ID! namespace: String! key: String! value: String! type: String!
  compareDigest: String! ownerType: MetafieldOwnerType! createdAt: DateTime! updatedAt: DateTime!
}
type MetafieldEdge { cursor: String! node: Metafield! }
type MetafieldConnection { edges: [MetafieldEdge!]! nodes: [Metafield!]! pageInfo: PageInfo! }

enum OrderDisplayFinancialStatus {
  PENDING AUTHORIZED PARTIALLY_PAID PARTIALLY_REFUNDED VOIDED PAID REFUNDED EXPIRED
}
enum OrderDisplayFulfillmentStatus {
  UNFULFILLED PARTIALLY_FULFILLED FULFILLED RESTOCKED PENDING_FULFILLMENT OPEN IN_PROGRESS
  ON_HOLD SCHEDULED REQUEST_DECLINED
}
enum OrderCancelReason { CUSTOMER DECLINED FRAUD INVENTORY STAFF OTHER }
enum RiskAssessmentResult { HIGH MEDIUM LOW NONE PENDING }
enum RiskFactSentiment { POSITIVE NEUTRAL NEGATIVE }
enum OrderRiskRecommendationResult { CANCEL INVESTIGATE ACCEPT NONE }
type RiskFact { description: String! sentiment: RiskFactSentiment! }
type OrderRiskAssessment { riskLevel: RiskAssessmentResult! facts: [RiskFact!]! }
type OrderRiskSummary {
  assessments: [OrderRiskAssessment!]!
  recommendation: OrderRiskRecommendationResult!
}
type OrderDisputeSummary { id: ID! initiatedAs: DisputeType! status: DisputeStatus! }

enum OrderSortKeys {
  CREATED_AT CURRENT_TOTAL_PRICE CUSTOMER_NAME DESTINATION FINANCIAL_STATUS FULFILLMENT_STATUS
  ID ORDER_NUMBER PO_NUMBER PROCESSED_AT RELEVANCE TOTAL_ITEMS_QUANTITY TOTAL_PRICE UPDATED_AT
}

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
  suggestedRefund(shippingAmount: Money, refundShipping: Boolean, refundLineItems: [RefundLineItemInput!]): SuggestedRefund
  returns(first: Int, after: String, last: Int, before: String): ReturnConnection!
  disputes: [OrderDisputeSummary!]!
  metafield(namespace: String, key: String!): Metafield
  metafields(first: Int, after: String, last: Int, before: String, namespace: String): MetafieldConnection!
  events(first: Int, after: String, last: Int, before: String, reverse: Boolean, sortKey: EventSortKeys): EventConnection!
  taxesIncluded: Boolean!
  taxLines: [TaxLine!]!
  paymentTerms: PaymentTerms
}
type TaxLine { channelLiable: Boolean priceSet: MoneyBag! rate: Float ratePercentage: Float title: String! }
enum PaymentTermsType { RECEIPT NET FIXED FULFILLMENT UNKNOWN }
type PaymentTermsTemplate implements Node {
  description: String! dueInDays: Int id: ID! name: String! paymentTermsType: PaymentTermsType!
  translatedName: String!
}
type PaymentTerms implements Node {
  due: Boolean! dueInDays: Int id: ID! order: Order overdue: Boolean! paymentTermsName: String!
  paymentTermsType: PaymentTermsType! translatedName: String!
}
type OrderEdge { cursor: String! node: Order! }

enum EventSortKeys { CREATED_AT ID }
interface Event {
  id: ID! action: String! appTitle: String attributeToApp: Boolean! attributeToUser: Boolean!
  createdAt: DateTime! criticalAlert: Boolean! message: FormattedString!
}
type BasicEvent implements Event & Node {
  id: ID! action: String! appTitle: String attributeToApp: Boolean! attributeToUser: Boolean!
  createdAt: DateTime! criticalAlert: Boolean! message: FormattedString! author: String
}
type StaffMember implements Node { id: ID! name: String! firstName: String lastName: String }
type CommentEvent implements Event & Node {
  id: ID! action: String! appTitle: String attributeToApp: Boolean! attributeToUser: Boolean!
  createdAt: DateTime! criticalAlert: Boolean! message: FormattedString!
  author: StaffMember! rawMessage: String! edited: Boolean!
}
type EventEdge { cursor: String! node: Event! }
type EventConnection { edges: [EventEdge!]! nodes: [Event!]! pageInfo: PageInfo! }
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

enum FulfillmentOrderStatus { OPEN IN_PROGRESS CANCELLED INCOMPLETE CLOSED SCHEDULED ON_HOLD }
enum FulfillmentOrderRequestStatus {
  UNSUBMITTED SUBMITTED ACCEPTED REJECTED CANCELLATION_REQUESTED CANCELLATION_ACCEPTED
  CANCELLATION_REJECTED CLOSED
}
enum FulfillmentHoldReason {
  AWAITING_PAYMENT HIGH_RISK_OF_FRAUD INCORRECT_ADDRESS INVENTORY_OUT_OF_STOCK
  UNKNOWN_DELIVERY_DATE ONLINE_STORE_POST_PURCHASE_CROSS_SELL AWAITING_RETURN_ITEMS OTHER
}
type FulfillmentHold implements Node {
  id: ID!
  handle: String
  reason: FulfillmentHoldReason!
  reasonNotes: String
  displayReason: String!
  heldByRequestingApp: Boolean!
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
  requestStatus: FulfillmentOrderRequestStatus!
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

enum FulfillmentStatus { PENDING OPEN SUCCESS CANCELLED ERROR FAILURE }
enum FulfillmentDisplayStatus {
  ATTEMPTED_DELIVERY CANCELED CONFIRMED DELAYED DELIVERED FAILURE FULFILLED CARRIER_PICKED_UP
  IN_TRANSIT LABEL_PRINTED LABEL_PURCHASED LABEL_VOIDED MARKED_AS_FULFILLED NOT_DELIVERED
  OUT_FOR_DELIVERY READY_FOR_PICKUP PICKED_UP SUBMITTED
}
enum FulfillmentEventStatus {
  LABEL_PURCHASED LABEL_PRINTED READY_FOR_PICKUP CONFIRMED IN_TRANSIT OUT_FOR_DELIVERY
  ATTEMPTED_DELIVERY DELAYED DELIVERED FAILURE CARRIER_PICKED_UP
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

enum RefundLineItemRestockType { RETURN CANCEL LEGACY_RESTOCK NO_RESTOCK }
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

enum OrderTransactionKind {
  SALE CAPTURE AUTHORIZATION VOID REFUND CHANGE EMV_AUTHORIZATION SUGGESTED_REFUND
}
enum OrderTransactionStatus { SUCCESS FAILURE PENDING ERROR AWAITING_RESPONSE UNKNOWN }
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

enum ReturnStatus { CANCELED CLOSED OPEN REQUESTED DECLINED }
enum ReturnReason {
  SIZE_TOO_SMALL SIZE_TOO_LARGE UNWANTED NOT_AS_DESCRIBED WRONG_ITEM DEFECTIVE STYLE COLOR OTHER
  UNKNOWN
}
enum ReturnDeclineReason { RETURN_PERIOD_ENDED FINAL_SALE OTHER }
type ReturnDecline { reason: ReturnDeclineReason! note: String }
type FulfillmentLineItem { id: ID! lineItem: LineItem! quantity: Int }
interface ReturnLineItemType {
  id: ID!
  quantity: Int!
  returnReason: ReturnReason!
  returnReasonNote: String!
  customerNote: String
}
type ReturnLineItem implements Node & ReturnLineItemType {
  id: ID!
  quantity: Int!
  returnReason: ReturnReason!
  returnReasonNote: String!
  customerNote: String
  fulfillmentLineItem: FulfillmentLineItem!
}
type ReturnLineItemTypeEdge { cursor: String! node: ReturnLineItemType! }
type ReturnLineItemTypeConnection {
  edges: [ReturnLineItemTypeEdge!]! nodes: [ReturnLineItemType!]! pageInfo: PageInfo!
}
type Return implements Node {
  id: ID!
  name: String!
  status: ReturnStatus!
  totalQuantity: Int!
  createdAt: DateTime!
  order: Order!
  decline: ReturnDecline
  returnLineItems(first: Int, after: String, last: Int, before: String): ReturnLineItemTypeConnection!
}
type ReturnEdge { cursor: String! node: Return! }
type ReturnConnection { edges: [ReturnEdge!]! nodes: [Return!]! pageInfo: PageInfo! }

enum DisputeType { CHARGEBACK INQUIRY }
enum DisputeStatus { ACCEPTED LOST NEEDS_RESPONSE PREVENTED UNDER_REVIEW WON CHARGE_REFUNDED }
enum ShopifyPaymentsDisputeReason {
  FRAUDULENT GENERAL UNRECOGNIZED DUPLICATE SUBSCRIPTION_CANCELLED PRODUCT_UNACCEPTABLE
  PRODUCT_NOT_RECEIVED CREDIT_NOT_PROCESSED INCORRECT_ACCOUNT_DETAILS INSUFFICIENT_FUNDS
  BANK_CANNOT_PROCESS DEBIT_NOT_AUTHORIZED CUSTOMER_INITIATED NONCOMPLIANT
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
  evidenceDueBy: DateTime
  evidenceSentOn: DateTime
  finalizedOn: DateTime
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
  note2: String
  tags: [String!]!
  createdAt: DateTime!
  updatedAt: DateTime!
  completedAt: DateTime
  order: Order
  customer: Customer
  shippingAddress: MailingAddress
  subtotalPriceSet: MoneyBag!
  totalDiscountsSet: MoneyBag!
  totalPriceSet: MoneyBag!
  invoiceSentAt: DateTime
  lineItems(first: Int, after: String, last: Int, before: String): DraftOrderLineItemConnection!
}
type DraftOrderEdge { cursor: String! node: DraftOrder! }
type DraftOrderConnection { edges: [DraftOrderEdge!]! nodes: [DraftOrder!]! pageInfo: PageInfo! }

enum ProductStatus { ACTIVE ARCHIVED DRAFT UNLISTED }
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
  descriptionHtml: HTML!
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
  TAX_SUMMARIES_CREATE APP_UNINSTALLED APP_SCOPES_UPDATE CARTS_CREATE CARTS_UPDATE
  CHANNELS_DELETE CHECKOUTS_CREATE CHECKOUTS_DELETE CHECKOUTS_UPDATE
  CUSTOMER_PAYMENT_METHODS_CREATE CUSTOMER_PAYMENT_METHODS_UPDATE
  CUSTOMER_PAYMENT_METHODS_REVOKE COLLECTION_LISTINGS_ADD COLLECTION_LISTINGS_REMOVE
  COLLECTION_LISTINGS_UPDATE COLLECTION_PUBLICATIONS_CREATE COLLECTION_PUBLICATIONS_DELETE
  COLLECTION_PUBLICATIONS_UPDATE COLLECTIONS_CREATE COLLECTIONS_DELETE COLLECTIONS_UPDATE
  CUSTOMER_GROUPS_CREATE CUSTOMER_GROUPS_DELETE CUSTOMER_GROUPS_UPDATE CUSTOMERS_CREATE
  CUSTOMERS_DELETE CUSTOMERS_DISABLE CUSTOMERS_ENABLE CUSTOMERS_UPDATE
  CUSTOMERS_PURCHASING_SUMMARY CUSTOMERS_MARKETING_CONSENT_UPDATE CUSTOMER_TAGS_ADDED
  CUSTOMER_TAGS_REMOVED CUSTOMERS_EMAIL_MARKETING_CONSENT_UPDATE DISPUTES_CREATE DISPUTES_UPDATE
  DRAFT_ORDERS_CREATE DRAFT_ORDERS_DELETE DRAFT_ORDERS_UPDATE FULFILLMENT_EVENTS_CREATE
  FULFILLMENT_EVENTS_DELETE FULFILLMENTS_CREATE FULFILLMENTS_UPDATE ATTRIBUTED_SESSIONS_FIRST
  ATTRIBUTED_SESSIONS_LAST ORDER_TRANSACTIONS_CREATE ORDERS_CANCELLED ORDERS_CREATE
  ORDERS_DELETE ORDERS_EDITED ORDERS_FULFILLED ORDERS_PAID ORDERS_PARTIALLY_FULFILLED
  ORDERS_UPDATED ORDERS_LINK_REQUESTED FULFILLMENT_ORDERS_MOVED FULFILLMENT_ORDERS_HOLD_RELEASED
  FULFILLMENT_ORDERS_SCHEDULED_FULFILLMENT_ORDER_READY FULFILLMENT_HOLDS_RELEASED
  FULFILLMENT_ORDERS_ORDER_ROUTING_COMPLETE FULFILLMENT_ORDERS_CANCELLED
  FULFILLMENT_ORDERS_FULFILLMENT_SERVICE_FAILED_TO_COMPLETE
  FULFILLMENT_ORDERS_FULFILLMENT_REQUEST_REJECTED
  FULFILLMENT_ORDERS_CANCELLATION_REQUEST_SUBMITTED
  FULFILLMENT_ORDERS_CANCELLATION_REQUEST_ACCEPTED
  FULFILLMENT_ORDERS_CANCELLATION_REQUEST_REJECTED
  FULFILLMENT_ORDERS_FULFILLMENT_REQUEST_SUBMITTED
  FULFILLMENT_ORDERS_FULFILLMENT_REQUEST_ACCEPTED FULFILLMENT_HOLDS_ADDED
  FULFILLMENT_ORDERS_LINE_ITEMS_PREPARED_FOR_LOCAL_DELIVERY FULFILLMENT_ORDERS_PLACED_ON_HOLD
  FULFILLMENT_ORDERS_MERGED FULFILLMENT_ORDERS_SPLIT FULFILLMENT_ORDERS_PROGRESS_REPORTED
  FULFILLMENT_ORDERS_MANUALLY_REPORTED_PROGRESS_STOPPED PRODUCT_LISTINGS_ADD
  PRODUCT_LISTINGS_REMOVE PRODUCT_LISTINGS_UPDATE SCHEDULED_PRODUCT_LISTINGS_ADD
  SCHEDULED_PRODUCT_LISTINGS_UPDATE SCHEDULED_PRODUCT_LISTINGS_REMOVE
  PRODUCT_PUBLICATIONS_CREATE PRODUCT_PUBLICATIONS_DELETE PRODUCT_PUBLICATIONS_UPDATE
  PRODUCTS_CREATE PRODUCTS_DELETE PRODUCTS_UPDATE REFUNDS_CREATE SEGMENTS_CREATE SEGMENTS_DELETE
  SEGMENTS_UPDATE SHIPPING_ADDRESSES_CREATE SHIPPING_ADDRESSES_UPDATE SHOP_UPDATE
  TAX_PARTNERS_UPDATE TAX_SERVICES_CREATE TAX_SERVICES_UPDATE THEMES_CREATE THEMES_DELETE
  THEMES_PUBLISH THEMES_UPDATE VARIANTS_IN_STOCK VARIANTS_OUT_OF_STOCK INVENTORY_LEVELS_CONNECT
  INVENTORY_LEVELS_UPDATE INVENTORY_LEVELS_DISCONNECT INVENTORY_ITEMS_CREATE
  INVENTORY_ITEMS_UPDATE INVENTORY_ITEMS_DELETE LOCATIONS_ACTIVATE LOCATIONS_DEACTIVATE
  LOCATIONS_CREATE LOCATIONS_UPDATE LOCATIONS_DELETE TENDER_TRANSACTIONS_CREATE
  APP_PURCHASES_ONE_TIME_UPDATE APP_SUBSCRIPTIONS_APPROACHING_CAPPED_AMOUNT
  APP_SUBSCRIPTIONS_UPDATE LOCALES_CREATE LOCALES_UPDATE LOCALES_DESTROY DOMAINS_CREATE
  DOMAINS_UPDATE DOMAINS_DESTROY SUBSCRIPTION_CONTRACTS_CREATE SUBSCRIPTION_CONTRACTS_UPDATE
  SUBSCRIPTION_BILLING_CYCLE_EDITS_CREATE SUBSCRIPTION_BILLING_CYCLE_EDITS_UPDATE
  SUBSCRIPTION_BILLING_CYCLE_EDITS_DELETE PROFILES_CREATE PROFILES_UPDATE PROFILES_DELETE
  SUBSCRIPTION_BILLING_ATTEMPTS_SUCCESS SUBSCRIPTION_BILLING_ATTEMPTS_FAILURE
  SUBSCRIPTION_BILLING_ATTEMPTS_CHALLENGED RETURNS_CANCEL RETURNS_CLOSE RETURNS_REOPEN
  RETURNS_REQUEST RETURNS_APPROVE RETURNS_UPDATE RETURNS_PROCESS RETURNS_DECLINE
  REVERSE_DELIVERIES_ATTACH_DELIVERABLE REVERSE_FULFILLMENT_ORDERS_DISPOSE PAYMENT_TERMS_CREATE
  PAYMENT_TERMS_DELETE PAYMENT_TERMS_UPDATE PAYMENT_SCHEDULES_DUE SELLING_PLAN_GROUPS_CREATE
  SELLING_PLAN_GROUPS_UPDATE SELLING_PLAN_GROUPS_DELETE BULK_OPERATIONS_FINISH
  PRODUCT_FEEDS_CREATE PRODUCT_FEEDS_UPDATE PRODUCT_FEEDS_INCREMENTAL_SYNC
  PRODUCT_FEEDS_FULL_SYNC PRODUCT_FEEDS_FULL_SYNC_FINISH MARKETS_CREATE MARKETS_UPDATE
  MARKETS_DELETE ORDERS_RISK_ASSESSMENT_CHANGED ORDERS_SHOPIFY_PROTECT_ELIGIBILITY_CHANGED
  FINANCE_KYC_INFORMATION_UPDATE FULFILLMENT_ORDERS_RESCHEDULED PUBLICATIONS_DELETE
  AUDIT_EVENTS_ADMIN_API_ACTIVITY FULFILLMENT_ORDERS_LINE_ITEMS_PREPARED_FOR_PICKUP
  COMPANIES_CREATE COMPANIES_UPDATE COMPANIES_DELETE COMPANY_LOCATIONS_CREATE
  COMPANY_LOCATIONS_UPDATE COMPANY_LOCATIONS_DELETE COMPANY_CONTACTS_CREATE
  COMPANY_CONTACTS_UPDATE COMPANY_CONTACTS_DELETE CUSTOMERS_MERGE INVENTORY_TRANSFERS_ADD_ITEMS
  INVENTORY_TRANSFERS_UPDATE_ITEM_QUANTITIES INVENTORY_TRANSFERS_REMOVE_ITEMS
  INVENTORY_TRANSFERS_READY_TO_SHIP INVENTORY_TRANSFERS_CANCEL INVENTORY_TRANSFERS_COMPLETE
  INVENTORY_SHIPMENTS_DELETE INVENTORY_SHIPMENTS_CREATE INVENTORY_SHIPMENTS_MARK_IN_TRANSIT
  INVENTORY_SHIPMENTS_UPDATE_TRACKING INVENTORY_SHIPMENTS_ADD_ITEMS
  INVENTORY_SHIPMENTS_UPDATE_ITEM_QUANTITIES INVENTORY_SHIPMENTS_REMOVE_ITEMS
  INVENTORY_SHIPMENTS_RECEIVE_ITEMS CUSTOMER_ACCOUNT_SETTINGS_UPDATE CUSTOMER_JOINED_SEGMENT
  CUSTOMER_LEFT_SEGMENT COMPANY_CONTACT_ROLES_ASSIGN COMPANY_CONTACT_ROLES_REVOKE
  SUBSCRIPTION_CONTRACTS_ACTIVATE SUBSCRIPTION_CONTRACTS_PAUSE SUBSCRIPTION_CONTRACTS_CANCEL
  SUBSCRIPTION_CONTRACTS_FAIL SUBSCRIPTION_CONTRACTS_EXPIRE SUBSCRIPTION_BILLING_CYCLES_SKIP
  SUBSCRIPTION_BILLING_CYCLES_UNSKIP METAOBJECTS_CREATE METAOBJECTS_UPDATE METAOBJECTS_DELETE
  FINANCE_APP_STAFF_MEMBER_GRANT FINANCE_APP_STAFF_MEMBER_REVOKE FINANCE_APP_STAFF_MEMBER_DELETE
  FINANCE_APP_STAFF_MEMBER_UPDATE DISCOUNTS_CREATE DISCOUNTS_UPDATE DISCOUNTS_DELETE
  DISCOUNTS_REDEEMCODE_ADDED DISCOUNTS_REDEEMCODE_REMOVED METAFIELD_DEFINITIONS_CREATE
  METAFIELD_DEFINITIONS_UPDATE METAFIELD_DEFINITIONS_DELETE DELIVERY_PROMISE_SETTINGS_UPDATE
  MARKETS_BACKUP_REGION_UPDATE CHECKOUT_AND_ACCOUNTS_CONFIGURATIONS_UPDATE
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
enum ShopPolicyType {
  REFUND_POLICY SHIPPING_POLICY PRIVACY_POLICY TERMS_OF_SERVICE TERMS_OF_SALE LEGAL_NOTICE
  SUBSCRIPTION_POLICY CONTACT_INFORMATION
}
type ShopPolicy implements Node {
  id: ID! type: ShopPolicyType! title: String! body: HTML! url: URL! createdAt: DateTime! updatedAt: DateTime!
}
type Shop {
  id: ID! name: String! myshopifyDomain: String! currencyCode: CurrencyCode! plan: ShopPlan!
  shopPolicies: [ShopPolicy!]!
}

enum ThemeRole { MAIN UNPUBLISHED DEMO DEVELOPMENT ARCHIVED LOCKED MOBILE }
type OnlineStoreThemeFileBodyText { content: String! }
union OnlineStoreThemeFileBody = OnlineStoreThemeFileBodyText
type OnlineStoreThemeFile {
  filename: String! body: OnlineStoreThemeFileBody! checksumMd5: String contentType: String!
  size: UnsignedInt64! createdAt: DateTime! updatedAt: DateTime!
}
type OnlineStoreThemeFileConnection { nodes: [OnlineStoreThemeFile!]! pageInfo: PageInfo! }
type OnlineStoreTheme implements Node {
  id: ID! name: String! role: ThemeRole! prefix: String! processing: Boolean! processingFailed: Boolean!
  themeStoreId: Int createdAt: DateTime! updatedAt: DateTime!
  files(after: String, filenames: [String!], first: Int = 50): OnlineStoreThemeFileConnection
}

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
  subtotalPriceSet: MoneyBag
  lineItems(first: Int, after: String, last: Int, before: String): CalculatedLineItemConnection!
}
type OrderEditSession { id: ID! }

type AccessScope { handle: String! description: String! }
type AppInstallation implements Node { id: ID! accessScopes: [AccessScope!]! }

type QueryRoot {
  currentAppInstallation: AppInstallation!
  node(id: ID!): Node
  nodes(ids: [ID!]!): [Node]!
  shop: Shop!
  order(id: ID!): Order
  orders(first: Int, after: String, last: Int, before: String, query: String, sortKey: OrderSortKeys, reverse: Boolean): OrderConnection!
  customer(id: ID!): Customer
  customers(first: Int, after: String, last: Int, before: String, query: String, reverse: Boolean): CustomerConnection!
  fulfillmentOrder(id: ID!): FulfillmentOrder
  return(id: ID!): Return
  dispute(id: ID!): ShopifyPaymentsDispute
  disputes(first: Int, after: String, last: Int, before: String): ShopifyPaymentsDisputeConnection!
  product(id: ID!): Product
  products(first: Int, after: String, last: Int, before: String, query: String): ProductConnection!
  productVariant(id: ID!): ProductVariant
  theme(id: ID!): OnlineStoreTheme
  inventoryItem(id: ID!): InventoryItem
  draftOrder(id: ID!): DraftOrder
  draftOrders(first: Int, after: String, last: Int, before: String, query: String, reverse: Boolean): DraftOrderConnection!
  job(id: ID!): Job
  paymentTermsTemplates(paymentTermsType: PaymentTermsType): [PaymentTermsTemplate!]!
  webhookSubscriptions(first: Int, after: String, last: Int, before: String): WebhookSubscriptionConnection!
}
'''
