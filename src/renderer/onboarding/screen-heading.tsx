// A screen's level-1 heading, focused as the screen appears, so keyboard and screen reader users start from its top.
import { useEffect, useRef } from 'react';

export function ScreenHeading({ title }: { title: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <h1 ref={heading} tabIndex={-1} className="onboarding-title">
      {title}
    </h1>
  );
}
