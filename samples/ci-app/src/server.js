// The sample's source: scripts/record-ci-fixtures.sh edits a copy of it between builds.
console.log('ci-app listening');
