import { missingCacheMount } from './missing-cache-mount.js';
import { runCase } from '../test/analyzer-tester.js';

test('smoke', () => {
  for (const d of [
    'FROM node:22\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\n',
    'FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl \\\n && rm -rf /var/lib/apt/lists/*\n',
    'FROM golang:1.22 AS build\nRUN go mod download\nRUN go build -o /app ./cmd\n',
    'FROM python:3.12\nUSER 1000\nRUN pip install --no-cache-dir -r requirements.txt\n',
    'FROM node:22\nUSER node\nRUN npm ci\n',
    'FROM rust:1\nRUN cargo build --release\n',
  ]) for (const f of runCase(missingCacheMount, { dockerfile: d })) console.log(f.line, f.message, '\n', f.suggestion);
});
