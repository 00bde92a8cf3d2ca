#!/usr/bin/env bash
# Runs the outbox fault suite: three hub processes, Redis and PostgreSQL of their own, and a steady stream of numbered
# outbox events while the listener's backend is terminated, PostgreSQL restarts, the leader is killed with SIGKILL,
# Redis stops and one client's network is cut. Every client is counted against the sequence numbers published.
#   scripts/fault-suite.sh          the soak: 10,000 events, Redis down and the network cut for 10 s each
#   scripts/fault-suite.sh quick    the same faults, 2,000 events, Redis down 2 s, the network cut 7 s
set -euo pipefail
cd "$(dirname "$0")/.."

size=${1:-soak}
case $size in
  soak | quick) ;;
  *) echo "usage: $0 [soak|quick]" >&2; exit 2 ;;
esac

scripts/install-deps.sh
dotnet build HubSolution.sln -c Release
HUB_FAULT_SUITE=$size dotnet test Hub.Tests -c Release --no-build \
  --filter "FullyQualifiedName~Hub.Tests.Streams.OutboxFaultSuiteTests" --logger "console;verbosity=detailed"
