import protobuf from 'protobufjs';

/**
 * Loki's push message (grafana/loki pkg/push/push.proto, package logproto): a PushRequest of streams whose
 * labels are one string in Prometheus's label syntax, entries with a google.protobuf.Timestamp, a line and
 * structured metadata. Promtail, Alloy's loki.write and Fluent Bit's loki output send it snappy-compressed.
 */
const PROTO = `
syntax = "proto3";
package logproto;
message Timestamp { int64 seconds = 1; int32 nanos = 2; }
message LabelPairAdapter { string name = 1; string value = 2; }
message EntryAdapter { Timestamp timestamp = 1; string line = 2; repeated LabelPairAdapter structuredMetadata = 3; }
message StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }
message PushRequest { repeated StreamAdapter streams = 1; string format = 2; }
`;

export const PushRequest = protobuf.parse(PROTO, { keepCase: true }).root.lookupType('logproto.PushRequest');

export interface PbPushRequest {
  streams: {
    labels: string;
    entries: {
      timestamp?: { seconds: number | { toString(): string }; nanos: number } | null;
      line: string;
      structuredMetadata: { name: string; value: string }[];
    }[];
  }[];
}
