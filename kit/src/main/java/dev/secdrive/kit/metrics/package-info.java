/**
 * Metrics of secdrive's servers in the Prometheus text format: a Micrometer registry per server
 * (never the global one, so that two servers in one process count apart), its scrape as an HTTP
 * answer, and the names and label rules the servers share: labels take values from small fixed sets
 * (a route template, a status, an operation code), never from what a client names.
 */
package dev.secdrive.kit.metrics;
