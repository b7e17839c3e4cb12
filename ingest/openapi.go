package ingest

import _ "embed"

//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the OpenAPI 3 description of the publisher API
// (ingest/openapi.json), which the ingest role serves at /v1/openapi.json.
func OpenAPI() []byte { return openAPI }
