#!/usr/bin/env bash
# Usage: release-version.sh TAG
# Exits 0 when TAG is "v" + the POM's version and that version is a release (not -SNAPSHOT);
# otherwise prints why and exits 1. cd.yml runs it before publishing anything.
set -euo pipefail
cd "$(dirname "$0")/../../.."
tag=${1:?usage: release-version.sh TAG (for example v0.1.0)}
version=$(./mvnw -B -q -ntp help:evaluate -Dexpression=project.version -DforceStdout)
if [ "$tag" != "v$version" ]; then
  echo "release-version: tag $tag does not match the POM version $version; tag v$version, or set <version> in pom.xml to ${tag#v} and commit before tagging" >&2
  exit 1
fi
case "$version" in
  *-SNAPSHOT)
    echo "release-version: $version is a SNAPSHOT; set a release version in pom.xml (e.g. ${version%-SNAPSHOT}) before tagging" >&2
    exit 1
    ;;
esac
echo "release-version: $tag matches pom.xml version $version"
