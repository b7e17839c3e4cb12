// Package auth turns the bearer credential of an HTTP request into a
// Principal: who is calling and which single tenant they act for. It owns
// credential parsing, hashing and constant-time comparison; what a principal
// may do is decided by the role that serves the request.
package auth
