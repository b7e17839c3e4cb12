// Package redisio opens the Redis client Vigie's roles share and checks that
// the server answers. It owns connection settings only; key names and Lua
// scripts belong to the packages that use them (review/ for the queue).
package redisio
