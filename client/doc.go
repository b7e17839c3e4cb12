// Package client is the Go client of Vigie's publisher API, for the code
// that handles a comment form: Check classifies a comment on the submit
// path and says whether to publish, hold or refuse it (with a message for
// the author); Submit and SubmitBatch hand comments over for asynchronous
// moderation; VerifyWebhook authenticates the decisions moderators send
// back.
//
// Every call takes a context and is safe to retry, since Vigie is
// idempotent per comment id: the client retries by itself after 503, 429
// and "in progress" 409 answers and network errors, honouring Retry-After,
// with exponential backoff otherwise. Errors from the API are *APIError.
//
// The package depends on the standard library only and must not import
// Vigie's internal packages: publishers vendor it on its own.
package client
