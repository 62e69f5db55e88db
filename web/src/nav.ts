export function navigate(route: string): void {
  window.location.hash = route;
}
