/** A 200 answer of the leaves route with `text` as its body, as parseLeafPage takes it. */
export const leafPageAnswer = (text: string) => ({
  status: 200,
  headers: { 'content-type': 'application/json' },
  text,
  method: 'GET',
  url: 'http://server/tree/leaves',
});
