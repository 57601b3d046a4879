/**
 * What the emulator saw and did, for tests to assert on: GraphQL calls, OAuth
 * calls and webhook deliveries, each tagged with its organization so tests
 * running in parallel read only their own. Bounded, for long demo runs.
 */
const MAX_ENTRIES = 5_000;

export interface GraphQLCall {
  at: string;
  organizationId: string | null;
  operationName: string | null;
  rootFields: string[];
  variables: unknown;
  status: number;
  /** The estimated complexity of the document (complexity.ts), once it parsed and validated. */
  complexity?: number;
  error?: string;
  fault?: string;
}

export interface OAuthCall {
  at: string;
  organizationId: string | null;
  endpoint: "authorize" | "token" | "revoke";
  grantType?: string;
  status: number;
  error?: string;
  fault?: string;
}

export interface DeliveryRecord {
  id: string;
  at: string;
  organizationId: string;
  webhookId: string;
  url: string;
  event: string;
  action: string;
  /** The receiver's HTTP status, or null when it could not be reached in time. */
  status: number | null;
  error?: string;
  durationMs: number;
  payload: unknown;
}

function push<T>(list: T[], entry: T): void {
  list.push(entry);
  if (list.length > MAX_ENTRIES) list.splice(0, list.length - MAX_ENTRIES);
}

export class Recorder {
  readonly graphql: GraphQLCall[] = [];
  readonly oauth: OAuthCall[] = [];
  readonly deliveries: DeliveryRecord[] = [];

  recordGraphQL(call: GraphQLCall): void {
    push(this.graphql, call);
  }

  recordOAuth(call: OAuthCall): void {
    push(this.oauth, call);
  }

  recordDelivery(delivery: DeliveryRecord): void {
    push(this.deliveries, delivery);
  }

  clear(): void {
    this.graphql.length = 0;
    this.oauth.length = 0;
    this.deliveries.length = 0;
  }
}
