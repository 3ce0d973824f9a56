// Sample source file: edit it to see which steps re-run.
console.log('hello from the sample app');
