#!/usr/bin/env node
// Firestore wire-protocol emulator (@firestore-emulator/server) bound to 127.0.0.1 only.
//
//   node tools/firestore-emulator.js [--port N]     (N = 0 or absent: a free port)
//
// Prints one line "listening 127.0.0.1:PORT" on stdout once it accepts connections.
// Reads commands from stdin, one per line:  "clear" wipes every document and answers
// "cleared";  "stop" (or end of stdin, e.g. the parent died) stops the server and exits.
// The package's own FirestoreServer.start(port) binds 0.0.0.0, so the grpc server is
// bound here by hand. Limits of this emulator: no BulkWriter, collection_group,
// cursors/offset, ArrayUnion, array_contains or nested-field filters.
"use strict";

const readline = require("node:readline");
const { FirestoreServer } = require("@firestore-emulator/server");
const { ServerCredentials } = require("@grpc/grpc-js");

const portArg = process.argv.indexOf("--port");
const port = portArg >= 0 ? Number(process.argv[portArg + 1]) : 0;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid --port ${process.argv[portArg + 1]}`);
  process.exit(2);
}

const emulator = new FirestoreServer();

function stop(code) {
  try { emulator.stop(); } catch (err) { /* already stopped */ }
  process.exit(code);
}

emulator.server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (err, bound) => {
  if (err) {
    console.error(`cannot bind 127.0.0.1:${port}: ${err.message}`);
    process.exit(1);
  }
  console.log(`listening 127.0.0.1:${bound}`);
});

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const command = line.trim();
  if (command === "clear") {
    emulator.state.clear();
    console.log("cleared");
  } else if (command === "stop") {
    stop(0);
  } else if (command) {
    console.error(`unknown command ${JSON.stringify(command)} (clear | stop)`);
  }
}).on("close", () => stop(0));

process.on("SIGTERM", () => stop(0));
process.on("SIGINT", () => stop(0));
