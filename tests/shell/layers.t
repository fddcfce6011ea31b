#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# src/ is grouped by stage (docs/HACKING.md), and the stages only call
# downwards: every symbol an object file takes from another stage directory
# is defined in an earlier stage of STAGES. Inside team/, the per-command
# modules never call back up into the two that hold a transaction
# (workflow.c, workflow-direct.c). Read from the objects the build made, so
# a new call that closes a cycle fails here, whatever header it went
# through.
. "$(dirname "$0")/../lib.sh"
plan 4
OBJ=${BATON_BUILD:?}/src
STAGES="base out/mustache net mail store team out intake cli"

rank () {
  local i=0 s
  for s in $STAGES; do
    [ "$s" = "$1" ] && { echo $i; return; }
    i=$((i + 1))
  done
  echo -1
}

# "SYMBOL STAGE" for every function or datum each stage defines.
for stage in $STAGES; do
  for o in "$OBJ/$stage"/*.o; do
    nm --defined-only "$o" | awk -v s="$stage" '$2 ~ /^[TDRB]$/ { print $3, s }'
  done
done | sort > "$WORK/defined"

is "every source file lives in a stage directory (or src/program)" \
  "$(cd "$TESTS_DIR/../src" && ls *.c 2>/dev/null)" ""

# "FROM -> TO (SYMBOL in OBJECT)" for each call that goes up or sideways.
upward=
for stage in $STAGES; do
  for o in "$OBJ/$stage"/*.o; do
    while read -r symbol to; do
      [ "$to" = "$stage" ] && continue
      if [ "$(rank "$to")" -ge "$(rank "$stage")" ]; then
        upward="$upward$stage -> $to ($symbol in ${o#"$OBJ"/})"$'\n'
      fi
    done < <(nm -u "$o" | awk '{ print $2 }' | sort -u | join - "$WORK/defined")
  done
done
is "no stage calls a later one (order: $STAGES)" "$upward" ""

count=$(ls "$OBJ"/*/*.o | wc -l)
ok "the check read the objects ($count of them)" test "$count" -ge 40

nm --defined-only "$OBJ/team/workflow.o" "$OBJ/team/workflow-direct.o" |
  awk '$2 ~ /^[TDRB]$/ { print $3 }' | sort -u > "$WORK/top"
up=
for o in "$OBJ"/team/workflow-*.o "$OBJ/team/ingest-result.o"; do
  case $o in */workflow-direct.o) continue ;; esac
  hits=$(nm -u "$o" | awk '{ print $2 }' | sort -u | comm -12 - "$WORK/top" | tr '\n' ' ')
  [ -n "$hits" ] && up="$up${o##*/}: $hits"$'\n'
done
is "team/'s per-command modules never call workflow.c or workflow-direct.c" "$up" ""
