import http from "k6/http";
export const options = { scenarios: { b: { executor: "constant-vus", vus: 64, duration: "4s", gracefulStop: "1s" } } };
export default async function (): Promise<void> {
  await http.asyncRequest("GET", __ENV.URL, null, { responseType: "none" });
}
