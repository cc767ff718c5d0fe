/** The part of Raphaël 2.3 the wall uses (the package ships no types). */
declare module 'raphael' {
  export interface RaphaelElement {
    node: SVGElement;
    attr(attrs: Record<string, string | number>): RaphaelElement;
    attr(name: string): unknown;
    remove(): void;
    toFront(): RaphaelElement;
    show(): RaphaelElement;
    hide(): RaphaelElement;
  }
  export interface RaphaelPaper {
    canvas: SVGSVGElement;
    width: number;
    height: number;
    rect(x: number, y: number, w: number, h: number, r?: number): RaphaelElement;
    circle(x: number, y: number, r: number): RaphaelElement;
    path(path?: string): RaphaelElement;
    text(x: number, y: number, text: string): RaphaelElement;
    setSize(w: number, h: number): void;
    clear(): void;
    remove(): void;
  }
  interface RaphaelStatic {
    (container: HTMLElement, width: number, height: number): RaphaelPaper;
    svg: boolean;
    version: string;
  }
  const Raphael: RaphaelStatic;
  export default Raphael;
}
