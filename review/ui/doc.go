// Package ui is the moderators' web interface of Vigie: one page,
// server-rendered as a small HTML shell, whose plain JavaScript modules talk
// to the moderator API (/v1/…) that package review serves on the same
// origin. It owns the shell, its assets (embedded in the binary, so nothing
// is fetched from another host at run time) and the security headers of the
// pages it serves.
//
// The interface covers login and session expiry, the keyboard-first review
// queue (matched spans highlighted in the original text, claims taken and
// released as the moderator moves, live updates by server-sent events),
// the author panel, the statistics page with SVG charts, and the admin
// pages for moderator accounts and tenant settings, in French and English.
//
// Package ui must not reach Redis, Kafka or the review Store: everything it
// shows or changes goes through the public moderator API, so the UI can do
// nothing that a scripted API client could not. It mounts only the paths
// listed in Register and never anything under /v1/, /healthz, /readyz or
// /metrics.
package ui
