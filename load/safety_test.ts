import assert from "node:assert/strict";
import { isPublicCloudHost, refuseCloudUrl } from "./safety.ts";

Deno.test("isPublicCloudHost() matches the cloud domain and its sub-domains only", () => {
  for (const h of ["api.sms-gate.app", "API.SMS-GATE.APP", "sms-gate.app", "x.api.sms-gate.app."]) {
    assert.equal(isPublicCloudHost(h), true, h);
  }
  for (const h of ["127.0.0.1", "sms-gate.app.example.com", "mysms-gate.app", "localhost"]) {
    assert.equal(isPublicCloudHost(h), false, h);
  }
});

Deno.test("refuseCloudUrl() refuses cloud URLs with a message naming the flag", () => {
  assert.match(
    refuseCloudUrl("https://api.sms-gate.app/3rdparty/v1/messages") ?? "",
    /^Cannot send load to api\.sms-gate\.app: .*--i-own-this-load/,
  );
  assert.equal(refuseCloudUrl("http://127.0.0.1:3000/api/3rdparty/v1"), null);
  assert.equal(refuseCloudUrl("http://localhost/?next=https://api.sms-gate.app/"), null);
  assert.equal(refuseCloudUrl("not a url sms-gate.app"), null);
});
