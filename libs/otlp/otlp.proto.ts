import protobuf from 'protobufjs';

/**
 * The OTLP messages Pharos decodes and answers with, written from opentelemetry-proto
 * (opentelemetry/proto/{common,resource,logs}/v1 and collector/logs/v1, as of August 2026) and the
 * google.rpc Status / ErrorInfo / BadRequest messages OTLP/HTTP answers failures with
 * (docs/specification.md, "Failures"). Field numbers and types are the spec's; traces (issue 22) add
 * their messages here beside the logs ones.
 */
const PROTO = `
syntax = "proto3";
package opentelemetry.proto.common.v1;
message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
    int32 string_value_strindex = 8;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; int32 key_strindex = 3; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message EntityRef { string schema_url = 1; string type = 2; repeated string id_keys = 3; repeated string description_keys = 4; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; repeated EntityRef entity_refs = 3; }

message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; string schema_url = 3; }
message ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; string schema_url = 3; }
message LogRecord {
  fixed64 time_unix_nano = 1;
  fixed64 observed_time_unix_nano = 11;
  int32 severity_number = 2;
  string severity_text = 3;
  AnyValue body = 5;
  repeated KeyValue attributes = 6;
  uint32 dropped_attributes_count = 7;
  fixed32 flags = 8;
  bytes trace_id = 9;
  bytes span_id = 10;
  string event_name = 12;
}
message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
message ExportLogsServiceResponse { ExportLogsPartialSuccess partial_success = 1; }
message ExportLogsPartialSuccess { int64 rejected_log_records = 1; string error_message = 2; }

message Any { string type_url = 1; bytes value = 2; }
message Status { int32 code = 1; string message = 2; repeated Any details = 3; }
message ErrorInfo { string reason = 1; string domain = 2; map<string, string> metadata = 3; }
message FieldViolation { string field = 1; string description = 2; }
message BadRequest { repeated FieldViolation field_violations = 1; }
`;

// One package keeps the text short; the wire format does not carry package names (only Any.type_url does,
// and that is written out in full in otlp-status.ts).
const root = protobuf.parse(PROTO, { keepCase: false }).root;
const type = (name: string): protobuf.Type => root.lookupType(`opentelemetry.proto.common.v1.${name}`);

export const OtlpTypes = {
  ExportLogsServiceRequest: type('ExportLogsServiceRequest'),
  ExportLogsServiceResponse: type('ExportLogsServiceResponse'),
  Status: type('Status'),
  ErrorInfo: type('ErrorInfo'),
  BadRequest: type('BadRequest'),
} as const;

/** Decoded shapes (protobufjs messages, camelCase fields; 64-bit integers as Long, bytes as Uint8Array). */
export interface PbLong {
  low: number;
  high: number;
  unsigned: boolean;
  toString(): string;
}
export interface PbAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: PbLong | number;
  doubleValue?: number;
  arrayValue?: { values: PbAnyValue[] };
  kvlistValue?: { values: PbKeyValue[] };
  bytesValue?: Uint8Array;
  stringValueStrindex?: number;
  value?: string;
}
export interface PbKeyValue {
  key: string;
  value?: PbAnyValue | null;
}
export interface PbLogRecord {
  timeUnixNano: PbLong | number;
  observedTimeUnixNano: PbLong | number;
  severityNumber: number;
  severityText: string;
  body?: PbAnyValue | null;
  attributes: PbKeyValue[];
  traceId: Uint8Array;
  spanId: Uint8Array;
  eventName: string;
}
export interface PbResourceLogs {
  resource?: { attributes: PbKeyValue[] } | null;
  scopeLogs: { scope?: { name: string; version: string } | null; logRecords: PbLogRecord[] }[];
}
