/** An HTTP endpoint for operators: {@code /metrics} for Prometheus and {@code /health} for load balancers. */
package dev.profilestore.metrics;
