package review

import (
	"errors"
	"fmt"
	"net/http"
)

// Code classifies a review error so the API can answer with the right status
// without inspecting messages.
type Code int

// The error codes of the review package. Their HTTP statuses are chosen in
// one place, httpStatus.
const (
	// Internal is an unexpected failure, usually of Redis.
	Internal Code = iota
	// NotFound: the item, author, moderator or token does not exist in the
	// caller's tenant.
	NotFound
	// Conflict: the item is held by someone else, the fencing token is stale,
	// or the item was already decided differently.
	Conflict
	// FailedPrecondition: the operation is not possible in the item's current
	// state, such as an undo after its window closed.
	FailedPrecondition
	// Forbidden: the caller's role does not allow the operation.
	Forbidden
	// Invalid: the request is malformed.
	Invalid
	// Unauthenticated: credentials are missing or wrong.
	Unauthenticated
)

// Error is an error with a Code and a message safe to show to the caller.
type Error struct {
	Code    Code
	Message string
	// Field names the request field at fault, for Invalid.
	Field string
}

func (e *Error) Error() string { return e.Message }

func errorf(code Code, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func invalidField(field, format string, args ...any) error {
	return &Error{Code: Invalid, Field: field, Message: field + ": " + fmt.Sprintf(format, args...)}
}

// CodeOf returns the Code of err, Internal when err carries none.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// httpStatus maps an error code to its HTTP status: the one place where this
// mapping is decided.
func httpStatus(c Code) int {
	switch c {
	case NotFound:
		return http.StatusNotFound
	case Conflict:
		return http.StatusConflict
	case FailedPrecondition:
		return http.StatusPreconditionFailed
	case Forbidden:
		return http.StatusForbidden
	case Invalid:
		return http.StatusBadRequest
	case Unauthenticated:
		return http.StatusUnauthorized
	default:
		return http.StatusInternalServerError
	}
}
