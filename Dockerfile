# syntax=docker/dockerfile:1
#
# The vigie binary in a distroless image: static (CGO_ENABLED=0), run as the
# image's non-root user 65532, nothing to write at run time, so it runs with
# a read-only root filesystem. One image serves every role: the Kubernetes
# manifests pass the subcommand (ingest, classify, review) as the argument.
#
#   docker build --build-arg VERSION=v0.1.0 -t ghcr.io/vigie-moderation/vigie:v0.1.0 .
#
# k8s/dockerfile_test.go builds the binary with the same command as the build
# stage and checks that the build context keeps every file it needs.

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION}-trixie AS build
WORKDIR /src
# Dependencies first: this layer stays cached while only Vigie's code changes.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w -X main.version=${VERSION}" -o /out/vigie ./cmd/vigie

# static-debian13: CA certificates (webhooks over HTTPS, rediss://), tzdata,
# /etc/passwd with the nonroot user; no shell, no package manager.
FROM gcr.io/distroless/static-debian13:nonroot
COPY --from=build /out/vigie /usr/local/bin/vigie
USER 65532:65532
EXPOSE 8080
# Listen on every interface inside the container (the default, 127.0.0.1,
# would be unreachable) and log JSON; the manifests set both again.
ENV VIGIE_LISTEN=0.0.0.0:8080 \
    VIGIE_LOG_FORMAT=json
ENTRYPOINT ["/usr/local/bin/vigie"]
CMD ["help"]
