// Package kafkaio builds the kafka-go writers and readers Vigie's roles use,
// with every setting that matters chosen explicitly (acks=all, short batch
// timeouts, explicit commits), and creates the topics a role needs. It owns
// client plumbing only: what goes into a record belongs to the roles.
package kafkaio
