#!/usr/bin/env bash
# Does labelbeam-transforms bring a dependency conflict into a pipeline author's project? For each Beam
# version, runs maven-enforcer's dependencyConvergence on an outside project with Beam alone and with Beam
# plus labelbeam-transforms, and fails when labelbeam adds a convergence error. (Beam's own artifacts do
# not converge among themselves, e.g. commons-lang3 3.14 vs 3.18 inside beam-sdks-java-core 2.70, so the
# baseline is Beam alone, not zero errors.) Downloads the Beam versions from Maven Central.
#   packaging/convergence-check.sh [beam versions...]   (default: 2.65.0 2.70.0)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests install -pl proto,metrics,transforms -am
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dep='<dependency><groupId>dev.labelbeam</groupId><artifactId>labelbeam-transforms</artifactId><version>0.1.0-SNAPSHOT</version></dependency>'
errors() { # $1 folder: the sorted artifacts named in convergence errors
  (cd "$1" && mvn -B validate -Dbeam.version="$2" 2>&1 | grep -o 'Dependency convergence error for [^ ]*' | sort -u) || true
}
status=0
for v in "${@:-2.65.0 2.70.0}"; do
  for v1 in $v; do
    mkdir -p "$work/alone-$v1" "$work/with-$v1"
    sed 's|<!--LABELBEAM-->||' packaging/outside-pom.xml > "$work/alone-$v1/pom.xml"
    sed "s|<!--LABELBEAM-->|$dep|" packaging/outside-pom.xml > "$work/with-$v1/pom.xml"
    alone=$(errors "$work/alone-$v1" "$v1")
    with=$(errors "$work/with-$v1" "$v1")
    added=$(comm -13 <(echo "$alone") <(echo "$with"))
    echo "Beam $v1: $(echo "$alone" | grep -c . || true) convergence errors with Beam alone, $(echo "$with" | grep -c . || true) with labelbeam-transforms"
    if [ -n "$added" ]; then
      echo "  added by labelbeam: $added"
      status=1
    fi
  done
done
exit $status
