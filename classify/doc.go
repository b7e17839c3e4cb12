// Package classify owns the classify role: the Kafka consumer that reads
// comments, and the classifier that turns each one into a Verdict — text
// normalisation, language detection with lingua-go and the rule engine.
//
// It writes verdicts to Kafka and hands flagged comments to a Sink (the review
// queue); it must not reach into the review queue's Redis keys itself, nor
// serve HTTP beyond its health and metrics endpoints.
//
// The classifier (Engine) works in five steps, each explained in the
// verdict it produces:
//
//  1. Normalizer folds the text into a matching form — compatibility
//     decomposition, case folding, accents, zero-width and format characters,
//     look-alike letters from other scripts, leetspeak and spaced-out letters
//     undone when they yield a known word — keeping a map back to the
//     original bytes, so every match points at the span a moderator sees.
//  2. A detector picks the comment's language among the configured ones:
//     function words first, then lingua-go in low-accuracy mode on a bounded
//     prefix, then its high-accuracy mode only when unsure; short or
//     ambiguous texts fall back to the thread's language, then the tenant's.
//  3. The rule set of that language (a YAML rule file, see docs/rules.md)
//     matches lexicons on tokens (and one-word terms split in two), aims
//     insults at people (second person before or just after, @mentions,
//     vocatives, an insult standing alone as a form of address), guards
//     quoted and reported speech, and applies conditional lexicons (a group
//     word before a dehumanising term, no object after "je vais te
//     retrouver"); spam and style signals (links and their commercial hosts,
//     phone numbers, addresses, stuffing, shouting, duplicates, velocity) add
//     their weights.
//  4. A comment the rules let through is read by the troll and spam
//     Models, logistic regressions over the words, word pairs and letter
//     n-grams of its matching form, trained on the labelled corpora and
//     golden files (Engine.TrainModel). Above the rule file's threshold a
//     model sends the comment to review, never to reject, naming the words
//     that weighed most.
//  5. Weights sum per category into a spam and a troll score, which the
//     tenant's Policy maps to allow, review or reject.
//
// CheckStream, Evaluate and Engine.TrainModel are the offline entry points
// behind `vigie check`, `vigie eval` and `vigie train`.
package classify
