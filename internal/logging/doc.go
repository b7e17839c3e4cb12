// Package logging builds the logrus logger every role uses and the fields
// Vigie logs by. It owns the rule that comment text, author names and
// credentials never reach a log line: only tenant, comment id and similar
// identifiers do.
package logging
