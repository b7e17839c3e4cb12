// Package serve runs a role's HTTP listener with the endpoints every role
// shares — /healthz, /readyz, /metrics — and shuts it down gracefully: on
// cancellation readiness turns off first, then in-flight requests finish.
// It owns the server lifecycle and request middleware (metrics, panic
// recovery, security headers), not any API route.
package serve
