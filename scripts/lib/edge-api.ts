/** The edge's JSON API with the admin key as the bearer, for scripts: an answer that is not 2xx throws with what the edge said. */
export type EdgeApi = <T = unknown>(method: string, path: string, body?: unknown) => Promise<T>;

export function edgeApi(edgeUrl: string, apiKey: string): EdgeApi {
  return async <T>(method: string, path: string, body?: unknown) => {
    const response = await fetch(`${edgeUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : null) as T;
  };
}
