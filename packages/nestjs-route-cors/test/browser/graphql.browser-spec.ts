/// <reference lib="dom" />
/**
 * GraphQL under a path rule in real Chromium (issue 25): a page whose origin
 * the rule's policy allows runs a query with `fetch` (a JSON POST with
 * credentials, preflighted) and reads the data; a page on another origin
 * cannot: its `fetch` rejects with a TypeError, the browser's only word on a
 * CORS refusal. (The DOM types are for the `page.evaluate()` callbacks.)
 */
import type { Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { type GraphqlApp, graphqlCorsOptions, startGraphqlApp } from '../fixtures/graphql.fixture.js';
import { launchChromiumBrowser } from '../../../../test/browser/chromium.js';
import { originOf, serveEmptyPage } from '../../../../test/browser/pages.js';

let browser: Browser;
let allowedPage: Server;
let blockedPage: Server;
let started: GraphqlApp;
let api: string;

beforeAll(async () => {
  browser = await launchChromiumBrowser();
  allowedPage = await serveEmptyPage();
  blockedPage = await serveEmptyPage();
  started = await startGraphqlApp(graphqlCorsOptions(originOf(allowedPage)));
  api = `http://127.0.0.1:${started.port}/graphql`;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  allowedPage?.close();
  blockedPage?.close();
  await started?.app.close();
});

/** What `fetch` gives a page on `pageServer`'s origin for the query: the data, or the error's type and message. */
async function queryFrom(pageServer: Server, method: 'POST' | 'GET'): Promise<{ data?: unknown; error?: string }> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(originOf(pageServer));
    return await page.evaluate(
      async ({ url, method }) => {
        const query = '{ hello(name: "chromium") }';
        try {
          const res =
            method === 'POST'
              ? await fetch(url, {
                  method,
                  credentials: 'include',
                  headers: { 'Content-Type': 'application/json' },
                  body: JSON.stringify({ query }),
                })
              : await fetch(`${url}?query=${encodeURIComponent(query)}`, {
                  credentials: 'include',
                  headers: { 'apollo-require-preflight': 'true' },
                });
          return { data: ((await res.json()) as { data: unknown }).data };
        } catch (error) {
          return { error: `${(error as Error).name}: ${(error as Error).message}` };
        }
      },
      { url: api, method },
    );
  } finally {
    await context.close();
  }
}

describe.each(['POST', 'GET'] as const)('a GraphQL query by %s from a page', (method) => {
  it('reads the data on a page whose origin the policy allows', async () => {
    expect(await queryFrom(allowedPage, method)).toEqual({ data: { hello: 'hello chromium' } });
  });

  it('fails with a TypeError on a page of another origin', async () => {
    expect(await queryFrom(blockedPage, method)).toEqual({ error: 'TypeError: Failed to fetch' });
  });
});
