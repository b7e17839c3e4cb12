package classify

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/vigie-moderation/vigie/internal/message"
)

// maxLineBytes bounds one input line of CheckStream and Evaluate: a comment
// of MaxTextChars code points in JSON with its envelope fits comfortably.
const maxLineBytes = 1 << 20

// lineError is what CheckStream prints for an input line it cannot use.
type lineError struct {
	Line  int    `json:"line"`
	Error string `json:"error"`
}

// CheckStream is `vigie check`: it reads Comment JSON lines from in and
// writes one Verdict JSON line per comment to out, classified under the
// default policy. Only "id" and "text" are required; "v" defaults to the
// current version and the tenant to "default". A line that cannot be used
// produces {"line":N,"error":"..."} on out and the stream goes on. Blank
// lines are skipped. It returns the first read or write error, or a
// classifier error, or ctx's error.
func CheckStream(ctx context.Context, c Classifier, in io.Reader, out io.Writer) error {
	w := bufio.NewWriter(out)
	defer w.Flush()
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	p := DefaultPolicy()
	return eachLine(ctx, in, func(line int, raw []byte) error {
		cm, err := decodeCheckComment(raw)
		if err != nil {
			if err := enc.Encode(lineError{Line: line, Error: err.Error()}); err != nil {
				return fmt.Errorf("writing error line: %w", err)
			}
			return nil
		}
		v, err := c.Classify(ctx, cm, p)
		if err != nil {
			return fmt.Errorf("classifying line %d: %w", line, err)
		}
		if err := enc.Encode(v); err != nil {
			return fmt.Errorf("writing verdict: %w", err)
		}
		return nil
	})
}

// eachLine calls fn with each non-blank line of in, trimmed, and its
// 1-based number, until fn or ctx fails. Lines may be up to maxLineBytes
// long; a read error names the line it stopped at.
func eachLine(ctx context.Context, in io.Reader, fn func(line int, raw []byte) error) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), maxLineBytes)
	line := 0
	for sc.Scan() {
		line++
		if err := ctx.Err(); err != nil {
			return err
		}
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		if err := fn(line, raw); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading line %d: %w", line+1, err)
	}
	return nil
}

// decodeCheckComment parses one offline comment: the DESIGN.md contract,
// with everything but id and text optional.
func decodeCheckComment(b []byte) (*message.Comment, error) {
	var cm message.Comment
	if err := json.Unmarshal(b, &cm); err != nil {
		return nil, fmt.Errorf("decoding comment JSON: %w", err)
	}
	if cm.V == 0 {
		cm.V = message.Version
	}
	if cm.V != message.Version {
		return nil, fmt.Errorf("%w: v=%d", message.ErrVersion, cm.V)
	}
	if cm.ID == "" {
		return nil, &message.FieldError{Field: "id", Reason: "is required"}
	}
	if err := message.ValidateText(cm.Text); err != nil {
		return nil, err
	}
	if cm.Tenant == "" {
		cm.Tenant = "default"
	}
	if cm.Author.ID == "" {
		cm.Author.ID = "anonymous"
	}
	if cm.CreatedAt.IsZero() {
		cm.CreatedAt = time.Now().UTC()
	}
	return &cm, nil
}
