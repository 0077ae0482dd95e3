/**
 * The distributor service's HTTP API (license-center/DISTRIBUTOR-API.md): its routes and the JSON
 * bodies, shared by the service and its clients. Binary records (SDLI, SDCC, SDSV, SDCP) travel as
 * hexadecimal strings, except the content package, which is sent as it is.
 */
package dev.secdrive.protocol.distributor;
