package review

import _ "embed"

//go:embed openapi.json
var openAPIDoc []byte

// OpenAPI returns the OpenAPI 3 description of the moderator API (JSON),
// kept in review/openapi.json. cmd/vigie serves it at /v1/openapi.json.
func OpenAPI() []byte { return openAPIDoc }
