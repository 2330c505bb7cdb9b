#!/usr/bin/env bash
# Checks what an application that depends on the library receives: its resolved runtime tree
# must be exactly sqlite-jdbc, HikariCP, Jackson (core, databind, annotations; datatype-jsr310 and
# -jdk8 are accepted too) and the SLF4J API, none of the optional integrations (Spring Boot,
# Micrometer, PostgreSQL, LangChain4j, picocli, Logback, ...).
#
# It installs the built target/swarmdb-VERSION.jar with pom.xml into a throwaway local
# repository, writes a minimal consumer pom that depends on it, and runs dependency:tree and
# dependency:list on the consumer. Everything else resolves from the user's local
# repository, chained read-only behind the throwaway one (maven.repo.local.tail); what is not
# there yet (after one `./mvnw verify`, only maven-dependency-plugin) is downloaded into the
# throwaway one, so nothing outside its temporary directory changes. Prints the tree, and what differs when it fails.
#
# Usage: src/test/scripts/check-consumer-deps.sh   (from anywhere; set SWARMDB_M2_REPO for a local
# repository other than ~/.m2/repository). Exit 0: as expected; 1: the tree differs; 2: no jar.
set -euo pipefail
cd "$(dirname "$0")/../../.."

m2="${SWARMDB_M2_REPO:-$HOME/.m2/repository}"
version=$(python3 -c 'import xml.etree.ElementTree as E; ns={"m":"http://maven.apache.org/POM/4.0.0"}; print(E.parse("pom.xml").getroot().find("m:version", ns).text)')
jar="target/swarmdb-${version}.jar"
if [[ ! -f "$jar" ]]; then
  echo "check-consumer-deps: $jar is missing; build it first: ./mvnw -B package -DskipTests" >&2
  exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
repo="$work/repo"
mvn=(./mvnw -B -q -ntp "-Dmaven.repo.local=$repo" "-Dmaven.repo.local.tail=$m2")

"${mvn[@]}" install:install-file "-Dfile=$jar" -DpomFile=pom.xml >/dev/null

mkdir -p "$work/consumer"
cat >"$work/consumer/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId>
  <artifactId>consumer</artifactId>
  <version>1</version>
  <dependencies>
    <dependency>
      <groupId>io.moaiflow</groupId>
      <artifactId>swarmdb</artifactId>
      <version>${version}</version>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>3.7.0</version>
      </plugin>
    </plugins>
  </build>
</project>
POM

"${mvn[@]}" -f "$work/consumer/pom.xml" dependency:tree -Dscope=runtime \
  "-DoutputFile=$work/tree.txt"
"${mvn[@]}" -f "$work/consumer/pom.xml" dependency:list -DincludeScope=runtime \
  -DexcludeGroupIds=io.moaiflow -DoutputAbsoluteArtifactFilename=false \
  "-DoutputFile=$work/list.txt"
echo "the runtime tree of a consumer of io.moaiflow:swarmdb:${version}:"
cat "$work/tree.txt"

# groupId:artifactId of every resolved artifact but the library itself
sed -n 's/^ *\([^: ]*\):\([^: ]*\):[^:]*:.*/\1:\2/p' "$work/list.txt" | sort -u >"$work/actual.txt"
cat >"$work/required.txt" <<LIST
com.fasterxml.jackson.core:jackson-annotations
com.fasterxml.jackson.core:jackson-core
com.fasterxml.jackson.core:jackson-databind
com.zaxxer:HikariCP
org.slf4j:slf4j-api
org.xerial:sqlite-jdbc
LIST
cat >"$work/accepted.txt" <<LIST
com.fasterxml.jackson.datatype:jackson-datatype-jdk8
com.fasterxml.jackson.datatype:jackson-datatype-jsr310
LIST

missing=$(comm -23 "$work/required.txt" "$work/actual.txt")
unexpected=$(comm -13 <(sort -u "$work/required.txt" "$work/accepted.txt") "$work/actual.txt")
if [[ -n "$missing" || -n "$unexpected" ]]; then
  [[ -z "$missing" ]] || printf 'check-consumer-deps: FAIL, missing from the tree:\n%s\n' "$missing"
  [[ -z "$unexpected" ]] || printf 'check-consumer-deps: FAIL, not expected in the tree:\n%s\n' "$unexpected"
  echo "fix: mark the dependency <optional>true</optional> (or provided) in pom.xml, or update this list"
  exit 1
fi
echo "check-consumer-deps: OK, $(wc -l <"$work/actual.txt") artifacts: $(paste -sd' ' "$work/actual.txt")"
