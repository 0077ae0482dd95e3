/** The distributor's HTTP and JSON API (license-center/DISTRIBUTOR-API.md) on kit's JsonServer. */
package dev.secdrive.center.distributor.http;
